import { createHash } from 'node:crypto';
import type { SigningAlgorithm } from './tokens.js';

/**
 * OIDC Core §3.1.3.6 `at_hash`: base64url of the left half of the hash of the access token's
 * ASCII octets, with the hash of the ID token's JWS algorithm (SHA-256 for ES256/RS256;
 * SHA-512 for EdDSA over Ed25519, as OpenID's EdDSA guidance specifies). The IdP writes it and
 * the SDK checks it, so both use this one function.
 */
export function accessTokenHash(accessToken: string, alg: SigningAlgorithm): string {
  const digest = createHash(alg === 'EdDSA' ? 'sha512' : 'sha256')
    .update(accessToken, 'ascii')
    .digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}
