/**
 * How a revoked session travels from the IdP (writer) to every SDK (reader), through Redis.
 *
 * State: one sorted set, {@link revocationKeys.set}. Each member names what is revoked and its
 * score is the epoch millisecond after which the record may be forgotten, because every token
 * it could apply to has expired by then. A reader loads the members with a score in the future.
 *
 * Change: after writing a member, the IdP publishes the same record on
 * {@link revocationKeys.channel}. Pub/sub is at most once, so a reader reloads the set after
 * every reconnect; the set, not the channel, is the source of truth.
 *
 * These names and members are part of the Redis key layout whose version store-layout.ts holds.
 */

import { STORE_PREFIX } from './store-keys.js';

export const revocationKeys = {
  /** Sorted set: member from {@link encodeRevocationMember}, score = `expiresAt`. */
  set: `${STORE_PREFIX}:revoked`,
  /**
   * Pub/sub channel: messages from {@link encodeRevocationNotice}, and the reload request
   * of {@link encodeRevocationReloadNotice}. On a Redis Cluster the IdP publishes them on the
   * master serving this name's slot (PUBLISH in a script keyed by the channel), and the SDK
   * subscribes on that master: the cluster bus between nodes may drop a message.
   */
  channel: `${STORE_PREFIX}:revoked:notices`,
  /**
   * The IdP's own: the highest durable revocation (its ledger `seq`, a decimal string) known
   * to be in the set. Lower than the ledger's after Redis came back from an older snapshot.
   */
  applied: `${STORE_PREFIX}:revoked:applied`,
} as const;

/** Every token carrying this `sid` is revoked (logout, admin, refresh-token reuse). */
export interface SessionRevocation {
  kind: 'session';
  sid: string;
  /** Epoch ms after which no token with this `sid` can still be valid. */
  expiresAt: number;
}

/**
 * Every token of this subject issued (`iat`, seconds) before `notBefore` is revoked: "log out
 * everywhere", including sessions a listing could have missed.
 */
export interface SubjectRevocation {
  kind: 'subject';
  sub: string;
  /** Epoch seconds; tokens with `iat < notBefore` are revoked. */
  notBefore: number;
  expiresAt: number;
}

/**
 * The signing key `kid` is compromised: every token carrying it in its header is refused,
 * whatever it claims, and verifiers drop the key from their key-set caches. Kept until no
 * token it signed can be alive and no cache anywhere can still hold the key set it was in.
 */
export interface KeyRevocation {
  kind: 'key';
  kid: string;
  expiresAt: number;
}

export type Revocation = SessionRevocation | SubjectRevocation | KeyRevocation;

// Identifiers are opaque strings chosen by the IdP; the subject goes last in a member so that a
// subject containing ':' cannot be mistaken for another field.
const MEMBER = /^(?:sid:(.+)|sub:(\d{1,12}):(.+)|kid:(.+))$/s;

/** The sorted-set member for a revocation (its expiry is the score, not part of the member). */
export function encodeRevocationMember(revocation: Revocation): string {
  switch (revocation.kind) {
    case 'session':
      return `sid:${revocation.sid}`;
    case 'subject':
      return `sub:${revocation.notBefore}:${revocation.sub}`;
    case 'key':
      return `kid:${revocation.kid}`;
  }
}

/** Reads a member back; null for anything this version does not understand. */
export function decodeRevocationMember(member: string, expiresAt: number): Revocation | null {
  if (!isTime(expiresAt)) return null;
  const match = MEMBER.exec(member);
  if (!match) return null;
  if (match[1] !== undefined) return { kind: 'session', sid: match[1], expiresAt };
  if (match[4] !== undefined) return { kind: 'key', kid: match[4], expiresAt };
  return { kind: 'subject', sub: match[3]!, notBefore: Number(match[2]), expiresAt };
}

/**
 * A notice as published: the revocation, and when the IdP revoked (epoch ms), so that a
 * reader can measure how long the notice took to reach it. `revokedAt` is absent from notices
 * of IdPs older than the field, and from re-publications of an old revocation (key-mirror).
 */
export interface RevocationNotice {
  revocation: Revocation;
  revokedAt: number | undefined;
}

export function encodeRevocationNotice(revocation: Revocation, revokedAt?: number): string {
  return JSON.stringify({
    member: encodeRevocationMember(revocation),
    expiresAt: revocation.expiresAt,
    // Optional on the wire: readers that predate it ignore unknown fields.
    ...(revokedAt !== undefined && { revokedAt }),
  });
}

/** Returns null for anything that is not a well-formed notice (channels are shared). */
export function readRevocationNotice(message: string): RevocationNotice | null {
  try {
    const value: unknown = JSON.parse(message);
    if (typeof value !== 'object' || value === null) return null;
    const { member, expiresAt, revokedAt } = value as Record<string, unknown>;
    if (typeof member !== 'string' || typeof expiresAt !== 'number') return null;
    const revocation = decodeRevocationMember(member, expiresAt);
    if (revocation === null) return null;
    // A malformed time costs the measurement, not the revocation.
    return { revocation, revokedAt: isTime(revokedAt) ? revokedAt : undefined };
  } catch {
    return null;
  }
}

/** The revocation of a notice, without its time; null as {@link readRevocationNotice}. */
export function decodeRevocationNotice(message: string): Revocation | null {
  return readRevocationNotice(message)?.revocation ?? null;
}

const RELOAD_NOTICE = JSON.stringify({ reload: 'revoked-set' });

/**
 * Asks every reader to load the set again now: the IdP put back revocations a Redis restored
 * from an older snapshot (or come back empty) had lost, and no notice announced them one by
 * one. Readers older than it ignore it as a notice they cannot read (they reload on their
 * next reconnect, which such a restore also causes).
 */
export function encodeRevocationReloadNotice(): string {
  return RELOAD_NOTICE;
}

export function isRevocationReloadNotice(message: string): boolean {
  return message === RELOAD_NOTICE;
}

/**
 * Whether a token with these claims is revoked by `revocation`: the rule every reader of the
 * set applies (the SDK, on every verification). The IdP itself needs none: a token is active
 * at /userinfo and /introspect only while its session still exists, which is stricter.
 */
export function revokes(
  revocation: Revocation,
  token: { sub: string; sid?: string | undefined; iat: number; kid?: string | undefined },
): boolean {
  switch (revocation.kind) {
    case 'session':
      return token.sid === revocation.sid;
    case 'subject':
      return token.sub === revocation.sub && token.iat < revocation.notBefore;
    case 'key':
      // The kid is from the token's protected header; a token without one is not covered here.
      return token.kid === revocation.kid;
  }
}

/**
 * The revoked set as the IdP serves it to Shared Signals receivers (`GET /ssf/revocations`):
 * what an SSF revocation source must know when it starts, because a stream only carries the
 * events made after it was created (or last acknowledged). The same members as in Redis.
 */
export interface RevocationSnapshot {
  revocations: Revocation[];
  /** Epoch ms at which the IdP read the set. */
  asOf: number;
}

/** The snapshot's JSON: `{ "revoked": [{ "member", "expires_at" }], "as_of" }`, expired left out. */
export function encodeRevocationSnapshot(
  members: ReadonlyMap<string, number>,
  asOf: number,
): { revoked: { member: string; expires_at: number }[]; as_of: number } {
  const revoked = [...members]
    .filter(([, expiresAt]) => expiresAt > asOf)
    .map(([member, expiresAt]) => ({ member, expires_at: expiresAt }));
  return { revoked, as_of: asOf };
}

/**
 * Reads a snapshot; null when the body is not one. A member this version does not understand
 * is skipped, as a reader of the Redis set skips it.
 */
export function readRevocationSnapshot(body: unknown): RevocationSnapshot | null {
  const value = body as { revoked?: unknown; as_of?: unknown } | null;
  if (typeof value !== 'object' || value === null || !Array.isArray(value.revoked)) return null;
  if (!isTime(value.as_of)) return null;
  const revocations: Revocation[] = [];
  for (const entry of value.revoked as unknown[]) {
    const { member, expires_at: expiresAt } = (entry ?? {}) as Record<string, unknown>;
    if (typeof member !== 'string' || typeof expiresAt !== 'number') return null;
    const revocation = decodeRevocationMember(member, expiresAt);
    if (revocation) revocations.push(revocation);
  }
  return { revocations, asOf: value.as_of };
}

/** The `notBefore` that revokes every token issued up to and including `nowMs`. */
export function notBeforeFor(nowMs: number): number {
  // iat is whole seconds (floor): the next whole second is the first no earlier token can have.
  return Math.floor(nowMs / 1000) + 1;
}

function isTime(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) > 0;
}
