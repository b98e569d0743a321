import { createHash } from 'node:crypto';

/**
 * What the account page names a session by in its forms: never the `sid`, which is the
 * session's credential (the cookie's value): a page that printed the other sessions' sids
 * would hand each of them to anyone who can read this one. A one-way digest with a label of
 * its own, 128 bits, names a session without letting anyone act as it.
 */
export function sessionHandle(sid: string): string {
  return createHash('sha256')
    .update(`latchkey account session handle\u0000${sid}`)
    .digest('base64url')
    .slice(0, 22);
}
