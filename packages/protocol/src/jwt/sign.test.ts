import { generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SigningAlgorithm } from '../tokens.js';
import { createJwsParser, decodeJwsPayload, verifyJwsSignature } from './compact-jws.js';
import { isLowS, withNegatedS } from './ecdsa-low-s.js';
import { signCompactJws } from './sign.js';
import { importVerificationKey } from './verification-key.js';

function keyPair(alg: SigningAlgorithm) {
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' });
  if (alg === 'RS256') return generateKeyPairSync('rsa', { modulusLength: 2048 });
  return generateKeyPairSync('ed25519');
}

describe('signCompactJws and the core verifying it', () => {
  it.each<SigningAlgorithm>(['ES256', 'RS256', 'EdDSA'])(
    '%s: header {alg, kid, typ}; the core verifies the token and returns the payload',
    (alg) => {
      const { publicKey, privateKey } = keyPair(alg);
      const token = signCompactJws({ kid: 'k', alg, privateKey }, 'at+jwt', { sub: 'u', n: 1 });
      const key = importVerificationKey({ ...publicKey.export({ format: 'jwk' }), kid: 'k' })!;
      const jws = createJwsParser(new Set([alg])).parse(token);
      expect(Object.entries(jws.header)).toEqual([
        ['alg', alg],
        ['kid', 'k'],
        ['typ', 'at+jwt'],
      ]);
      verifyJwsSignature(jws, key);
      expect(decodeJwsPayload(jws)).toEqual({ sub: 'u', n: 1 });
    },
  );

  it('ES256 signatures are always low-s (200 tokens), and their high-s twins are refused', () => {
    const { publicKey, privateKey } = keyPair('ES256');
    const key = importVerificationKey({ ...publicKey.export({ format: 'jwk' }), kid: 'k' })!;
    const parser = createJwsParser(new Set(['ES256']));
    let twinsThatNodeAccepts = 0;
    for (let i = 0; i < 200; i += 1) {
      const token = signCompactJws({ kid: 'k', alg: 'ES256', privateKey }, 'JWT', { i });
      const [input, signature] = [token.slice(0, token.lastIndexOf('.')), token.split('.')[2]!];
      const bytes = Buffer.from(signature, 'base64url');
      expect(isLowS(bytes)).toBe(true);
      const twin = withNegatedS(bytes);
      const opts = { key: publicKey, dsaEncoding: 'ieee-p1363' as const };
      if (verify('sha256', Buffer.from(input), opts, twin)) twinsThatNodeAccepts += 1;
      expect(() =>
        verifyJwsSignature(parser.parse(`${input}.${twin.toString('base64url')}`), key),
      ).toThrow(expect.objectContaining({ code: 'ERR_SIGNATURE_INVALID' }) as Error);
    }
    // The rule is needed: node:crypto takes every twin as a valid signature.
    expect(twinsThatNodeAccepts).toBe(200);
  });
});
