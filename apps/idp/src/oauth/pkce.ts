import { createHash, timingSafeEqual } from 'node:crypto';
import { InvalidGrantError, InvalidRequestError } from './oauth-errors.js';

// RFC 7636 §4.1: 43-128 characters of the unreserved set.
const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
// RFC 7636 §4.2 with S256: BASE64URL(SHA-256(verifier)), 32 bytes in exactly 43 characters,
// no padding.
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/**
 * PKCE (RFC 7636) as OAuth 2.1 §4.1.1 wants it: a code challenge is required of every client,
 * and only S256 is accepted (`plain` would hand the verifier to whoever sees the authorization
 * request). At /authorize, the challenge is checked and returned, to be bound to the code.
 */
export function checkCodeChallenge(
  challenge: string | undefined,
  method: string | undefined,
): string {
  if (challenge === undefined) {
    throw new InvalidRequestError('code_challenge is required (PKCE, S256)');
  }
  // RFC 7636 §4.3: an absent method means plain, which we refuse like an explicit plain.
  if (method !== 'S256') {
    throw new InvalidRequestError('code_challenge_method must be S256');
  }
  if (!S256_CHALLENGE.test(challenge)) {
    throw new InvalidRequestError('code_challenge is not a base64url SHA-256 digest');
  }
  return challenge;
}

/**
 * RFC 7636 §4.6 at /token: the code is redeemed only by whoever holds the verifier of the
 * challenge sent to /authorize. A missing or wrong verifier is `invalid_grant` (OAuth 2.1
 * §4.1.3); a malformed one `invalid_request`.
 */
export function checkCodeVerifier(verifier: string | undefined, challenge: string): void {
  if (verifier === undefined) throw new InvalidGrantError('code_verifier is required (PKCE)');
  if (!CODE_VERIFIER.test(verifier)) {
    throw new InvalidRequestError('code_verifier must be 43-128 characters of A-Z a-z 0-9 - . _ ~');
  }
  const computed = createHash('sha256').update(verifier, 'ascii').digest('base64url');
  // Digests of both sides have equal length, so the comparison takes the same time always.
  const same = timingSafeEqual(digest(computed), digest(challenge));
  if (!same) {
    throw new InvalidGrantError('code_verifier does not match the code_challenge').withDetail(
      'PKCE mismatch',
    );
  }
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
