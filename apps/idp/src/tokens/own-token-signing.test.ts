import { generateKeyPairSync } from 'node:crypto';
import { compactVerify, decodeProtectedHeader } from 'jose';
import type { SigningAlgorithm } from '@latchkey/protocol';
import { describe, expect, it } from 'vitest';
import { signCompactJws } from '@latchkey/protocol/jwt';

function keyPair(alg: SigningAlgorithm) {
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' });
  if (alg === 'RS256') return generateKeyPairSync('rsa', { modulusLength: 2048 });
  return generateKeyPairSync('ed25519');
}

describe('signCompactJws', () => {
  it.each<[SigningAlgorithm, number]>([
    ['ES256', 64],
    ['RS256', 256],
    ['EdDSA', 64],
  ])('%s: a JWS that jose verifies, header {alg, kid, typ}, raw signature', async (alg, length) => {
    const { publicKey, privateKey } = keyPair(alg);
    const key = { kid: `k-${alg}`, alg, privateKey };
    const payload = { sub: 'user-1', aud: ['a', 'b'], n: 1 };
    const token = signCompactJws(key, 'at+jwt', payload);
    const verified = await compactVerify(token, publicKey, { algorithms: [alg] });
    expect(JSON.parse(new TextDecoder().decode(verified.payload))).toEqual(payload);
    expect(Object.entries(decodeProtectedHeader(token))).toEqual([
      ['alg', alg],
      ['kid', `k-${alg}`],
      ['typ', 'at+jwt'],
    ]);
    expect(Buffer.from(token.split('.')[2]!, 'base64url')).toHaveLength(length);
  });

  it('keeps the header of each type apart for one key', () => {
    const { privateKey } = keyPair('ES256');
    const key = { kid: 'k', alg: 'ES256' as const, privateKey };
    signCompactJws(key, 'at+jwt', {});
    expect(decodeProtectedHeader(signCompactJws(key, 'JWT', {})).typ).toBe('JWT');
    expect(decodeProtectedHeader(signCompactJws(key, 'at+jwt', {})).typ).toBe('at+jwt');
  });

  it('a signature made by another key does not verify', async () => {
    const signer = keyPair('ES256');
    const other = keyPair('ES256');
    const token = signCompactJws(
      { kid: 'k', alg: 'ES256', privateKey: signer.privateKey },
      'JWT',
      {},
    );
    await expect(compactVerify(token, other.publicKey)).rejects.toThrow();
  });
});
