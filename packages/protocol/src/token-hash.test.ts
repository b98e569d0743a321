import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { accessTokenHash } from './token-hash.js';

describe('accessTokenHash', () => {
  it('OIDC 3.1.3.6: at_hash uses SHA-256 for RS256/ES256 and SHA-512 for EdDSA (Ed25519), left half', () => {
    const token = 'an.access.token';
    const sha256 = createHash('sha256').update(token).digest();
    const sha512 = createHash('sha512').update(token).digest();
    expect(accessTokenHash(token, 'RS256')).toBe(sha256.subarray(0, 16).toString('base64url'));
    expect(accessTokenHash(token, 'ES256')).toBe(sha256.subarray(0, 16).toString('base64url'));
    expect(accessTokenHash(token, 'EdDSA')).toBe(sha512.subarray(0, 32).toString('base64url'));
  });
});
