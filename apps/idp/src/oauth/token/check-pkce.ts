import { createHash, timingSafeEqual } from 'node:crypto';
import { InvalidGrantError, InvalidRequestError } from '../oauth-errors.js';

// RFC 7636 §4.1: 43-128 characters of the unreserved set.
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/**
 * RFC 7636 §4.6 with S256, the only method Latchkey accepts (OAuth 2.1 §4.1.1): the code is
 * redeemed only by whoever holds the verifier of the challenge sent to /authorize. A missing
 * or wrong verifier is `invalid_grant` (OAuth 2.1 §4.1.3); a malformed one `invalid_request`.
 */
export function checkPkce(verifier: string | undefined, challenge: string): void {
  if (verifier === undefined) throw new InvalidGrantError('code_verifier is required (PKCE)');
  if (!VERIFIER.test(verifier)) {
    throw new InvalidRequestError('code_verifier must be 43-128 characters of A-Z a-z 0-9 - . _ ~');
  }
  const computed = createHash('sha256').update(verifier, 'ascii').digest('base64url');
  // Digests of both sides have equal length, so the comparison takes the same time always.
  const same = timingSafeEqual(digest(computed), digest(challenge));
  if (!same) throw new InvalidGrantError('code_verifier does not match the code_challenge');
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
