import { TokenRevokedError, VerificationUnavailableError } from '../errors.js';
import { createRevokedSet } from '../revocation/revoked-set.js';
import type { RevocationCheckClaims, RevocationSource } from '../revocation/revocation-source.js';

/**
 * The sessions a back-channel logout ended, for an app that keeps its sessions in encrypted
 * cookies: a server-to-server call cannot delete a browser's cookie, so the app refuses the
 * cookie's tokens instead. It is a revocation source: give it to `createVerifier` as
 * `revocation` (alone or next to the Redis source) and every later check of a token of an
 * ended session throws `TokenRevokedError`.
 */
export interface LoggedOutSessions extends RevocationSource {
  /**
   * Records one logout: with `sid`, that session; with only `sub`, every session of the user
   * whose tokens were issued before `iat` (epoch seconds), as §2.4 intends for a token without
   * `sid`. Throws `VerificationUnavailableError` when full, so the IdP tries again later.
   */
  record(logout: { sub?: string | undefined; sid?: string | undefined; iat: number }): void;
  /** Throws `TokenRevokedError` for a token of a session recorded as ended. */
  check(claims: RevocationCheckClaims): void;
  readonly size: number;
}

export interface LoggedOutSessionsOptions {
  /**
   * How long a logout is remembered, in seconds: at least the lifetime of the app's access
   * tokens, after which a refresh at the IdP fails for the ended session anyway.
   * Default `86400` (a day).
   */
  retentionSec?: number;
  /** Most sessions and users remembered at once. Default `100000`. */
  maxEntries?: number;
  /** Clock in epoch ms. Default `Date.now`. */
  now?: () => number;
}

/** In memory, for this process: see the README for several instances. */
export function createLoggedOutSessions(options: LoggedOutSessionsOptions = {}): LoggedOutSessions {
  const retentionSec = options.retentionSec ?? 86_400;
  if (!Number.isFinite(retentionSec) || retentionSec <= 0) {
    throw new TypeError('retentionSec must be a positive number');
  }
  const maxEntries = options.maxEntries ?? 100_000;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new TypeError('maxEntries must be a whole number ≥ 1');
  }
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw new TypeError('now must be a function');
  const ended = createRevokedSet();

  return {
    record({ sub, sid, iat }) {
      const at = now();
      if (ended.size >= maxEntries) ended.sweep(at);
      // Only logout tokens signed by the IdP get here; refusing beats forgetting a logout.
      if (ended.size >= maxEntries) {
        throw new VerificationUnavailableError('too many logged-out sessions are remembered');
      }
      const expiresAt = at + retentionSec * 1000;
      if (sid !== undefined) ended.apply({ kind: 'session', sid, expiresAt }, at);
      else if (sub !== undefined) {
        ended.apply({ kind: 'subject', sub, notBefore: iat, expiresAt }, at);
      }
    },
    check(claims) {
      if (ended.isRevoked(claims, now())) {
        throw new TokenRevokedError('the session was ended by a back-channel logout');
      }
    },
    get size() {
      return ended.size;
    },
  };
}
