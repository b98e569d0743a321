import { hash, timingSafeEqual } from 'node:crypto';

/**
 * Client secrets are long random strings, so a fast digest is enough (a slow password hash
 * would cap the token endpoint for no gain); comparing digests in constant time removes the
 * timing signal of an early mismatch.
 */
export function digestSecret(secret: string): Buffer {
  return hash('sha256', secret, 'buffer');
}

export function secretMatches(expectedDigest: Buffer, presented: string): boolean {
  return timingSafeEqual(expectedDigest, digestSecret(presented));
}
