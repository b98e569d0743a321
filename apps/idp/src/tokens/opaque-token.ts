import { createHash, randomBytes } from 'node:crypto';

/**
 * Opaque credentials (session ids, authorization codes, refresh tokens, CSRF tokens): 256
 * random bits, base64url. Guessing one is out of reach, so a fast digest is enough to store
 * them: the store holds `digestToken(token)`, never the token, and a leaked dump of Redis
 * hands out nothing that can be presented.
 */
export function newOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

export function digestToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/** A presented token can be any string; only our own shape is worth a store round trip. */
export function looksLikeOpaqueToken(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(value);
}
