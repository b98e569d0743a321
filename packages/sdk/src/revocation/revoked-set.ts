import {
  revokes,
  type KeyRevocation,
  type Revocation,
  type SessionRevocation,
  type SubjectRevocation,
} from '@latchkey/protocol';
import type { RevocationCheckClaims } from './revocation-source.js';

/**
 * The revoked sessions, subjects and signing keys one process knows of, in memory, so that a check is two
 * map look-ups. Entries live until their `expiresAt` (epoch ms), when every token they could
 * apply to has expired; the IdP's retention already covers verifier clock tolerance.
 */
export interface RevokedSet {
  /** Adds a revocation; an already known one only ever widens (later notBefore or expiry). */
  apply(revocation: Revocation, nowMs: number): void;
  isRevoked(claims: RevocationCheckClaims, nowMs: number): boolean;
  /** Whether the signing key `kid` was revoked (a compromised key). */
  isKeyRevoked(kid: string, nowMs: number): boolean;
  /** Drops expired entries; cheap when nothing has expired yet. */
  sweep(nowMs: number): void;
  readonly size: number;
}

export function createRevokedSet(): RevokedSet {
  const sessions = new Map<string, SessionRevocation>();
  const subjects = new Map<string, SubjectRevocation>();
  const keys = new Map<string, KeyRevocation>();
  // Earliest expiry among the entries (or later): a sweep before it would find nothing.
  let nextExpiry = Infinity;

  function apply(revocation: Revocation, nowMs: number): void {
    if (revocation.expiresAt <= nowMs) return;
    if (revocation.kind === 'session') {
      const known = sessions.get(revocation.sid);
      if (known === undefined || known.expiresAt < revocation.expiresAt) {
        sessions.set(revocation.sid, revocation);
      }
    } else if (revocation.kind === 'key') {
      const known = keys.get(revocation.kid);
      if (known === undefined || known.expiresAt < revocation.expiresAt) {
        keys.set(revocation.kid, revocation);
      }
    } else {
      const known = subjects.get(revocation.sub);
      // One entry per subject: a later notBefore revokes a superset of the tokens an earlier
      // one does. Keeping the later expiry too never forgets a revocation too early.
      subjects.set(
        revocation.sub,
        known === undefined
          ? revocation
          : {
              ...revocation,
              notBefore: Math.max(known.notBefore, revocation.notBefore),
              expiresAt: Math.max(known.expiresAt, revocation.expiresAt),
            },
      );
    }
    if (revocation.expiresAt < nextExpiry) nextExpiry = revocation.expiresAt;
  }

  function isRevoked(claims: RevocationCheckClaims, nowMs: number): boolean {
    if (claims.sid !== undefined) {
      const session = sessions.get(claims.sid);
      if (session !== undefined) {
        if (session.expiresAt <= nowMs) sessions.delete(claims.sid);
        else if (revokes(session, claims)) return true;
      }
    }
    const subject = subjects.get(claims.sub);
    if (subject === undefined) return false;
    if (subject.expiresAt <= nowMs) {
      subjects.delete(claims.sub);
      return false;
    }
    return revokes(subject, claims);
  }

  function isKeyRevoked(kid: string, nowMs: number): boolean {
    const key = keys.get(kid);
    if (key === undefined) return false;
    if (key.expiresAt > nowMs) return true;
    keys.delete(kid);
    return false;
  }

  function sweep(nowMs: number): void {
    if (nowMs < nextExpiry) return;
    nextExpiry = Infinity;
    for (const map of [sessions, subjects, keys] as Map<string, Revocation>[]) {
      for (const [key, entry] of map) {
        if (entry.expiresAt <= nowMs) map.delete(key);
        else if (entry.expiresAt < nextExpiry) nextExpiry = entry.expiresAt;
      }
    }
  }

  return {
    apply,
    isRevoked,
    isKeyRevoked,
    sweep,
    get size() {
      return sessions.size + subjects.size + keys.size;
    },
  };
}
