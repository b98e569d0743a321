import { InvalidRequestError } from '../oauth-errors.js';
import type { AuthorizeParams } from './authorize-params.js';

/**
 * RFC 7636 and OAuth 2.1 §4.1.1: a code challenge is required of every client, and only S256
 * is accepted (`plain` would hand the verifier to whoever sees the authorization request). An
 * S256 challenge is BASE64URL(SHA-256(verifier)): exactly 43 characters, no padding.
 */
export function checkPkce(params: AuthorizeParams): string {
  const challenge = params.single('code_challenge');
  const method = params.single('code_challenge_method');
  if (challenge === undefined) {
    throw new InvalidRequestError('code_challenge is required (PKCE, S256)');
  }
  // RFC 7636 §4.3: an absent method means plain, which we refuse like an explicit plain.
  if (method !== 'S256') {
    throw new InvalidRequestError('code_challenge_method must be S256');
  }
  if (!/^[A-Za-z0-9_-]{43}$/.test(challenge)) {
    throw new InvalidRequestError('code_challenge is not a base64url SHA-256 digest');
  }
  return challenge;
}
