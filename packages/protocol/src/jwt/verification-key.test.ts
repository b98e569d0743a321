import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { importVerificationKey } from './verification-key.js';

const jwkOf = (type: 'ec' | 'rsa' | 'ed25519', options: object = {}): JsonWebKey => {
  const { publicKey } = generateKeyPairSync(type as 'ec', options as { namedCurve: string });
  return publicKey.export({ format: 'jwk' });
};

const ec = { ...jwkOf('ec', { namedCurve: 'P-256' }), kid: 'ec' };
const rsa = { ...jwkOf('rsa', { modulusLength: 2048 }), kid: 'rsa' };
const ed = { ...jwkOf('ed25519'), kid: 'ed' };

describe('importVerificationKey', () => {
  it.each([
    ['EC P-256', ec, 'ES256'],
    ['RSA 2048', rsa, 'RS256'],
    ['Ed25519', ed, 'EdDSA'],
    [
      'a key with matching alg and use',
      { ...ec, alg: 'ES256', use: 'sig', key_ops: ['verify'] },
      'ES256',
    ],
  ])('binds %s to its one algorithm', (_name, jwk, alg) => {
    expect(importVerificationKey(jwk)).toMatchObject({ kid: jwk.kid, alg });
  });

  it.each([
    [
      'a private key',
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }),
    ],
    ['a symmetric key', { kty: 'oct', k: 'c2VjcmV0', kid: 'oct' }],
    ['an encryption key', { ...ec, use: 'enc' }],
    ['key_ops without verify', { ...ec, key_ops: ['encrypt'] }],
    ['an alg that does not fit the key', { ...ec, alg: 'RS256' }],
    ['an RSA key with alg PS256', { ...rsa, alg: 'PS256' }],
    ['RSA under 2048 bits', { ...jwkOf('rsa', { modulusLength: 1024 }), kid: 'small' }],
    ['EC P-384', { ...jwkOf('ec', { namedCurve: 'P-384' }), kid: 'p384' }],
    ['Ed448', { ...jwkOf('ed448' as 'ed25519'), kid: 'ed448' }],
    ['no kid', { ...ec, kid: undefined }],
    ['a broken EC point', { ...ec, x: 'AAAA' }],
    ['not an object', 'ec'],
    ['null', null],
  ])('skips %s', (_name, jwk) => {
    expect(importVerificationKey(jwk)).toBeUndefined();
  });
});
