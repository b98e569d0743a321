import { decodeRevocationMember, type Revocation } from '@latchkey/protocol';

/**
 * Reads a `ZRANGE … WITHSCORES` reply of the revocation set. RESP2 (and ioredis's default
 * "legacy" RESP3 mapping) gives a flat `[member, score, …]` list; the "resp3" mapping gives
 * `[member, score]` pairs with numeric scores. Members this version does not understand are
 * skipped, as the IdP may be newer than this SDK.
 */
export function parseRevocationRange(reply: unknown): Revocation[] {
  if (!Array.isArray(reply)) throw new TypeError('ZRANGE reply is not an array');
  const revocations: Revocation[] = [];
  const add = (member: unknown, score: unknown): void => {
    if (typeof member !== 'string') return;
    const expiresAt = typeof score === 'number' ? score : Number(score);
    const revocation = decodeRevocationMember(member, expiresAt);
    if (revocation !== null) revocations.push(revocation);
  };
  if (reply.length > 0 && Array.isArray(reply[0])) {
    for (const pair of reply as unknown[][]) add(pair[0], pair[1]);
  } else {
    for (let i = 0; i + 1 < reply.length; i += 2) add(reply[i], reply[i + 1]);
  }
  return revocations;
}
