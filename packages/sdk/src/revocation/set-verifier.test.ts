import { generateKeyPairSync } from 'node:crypto';
import { CAEP_CREDENTIAL_CHANGE, CAEP_SESSION_REVOKED } from '@latchkey/protocol';
import { importVerificationKey, signCompactJws, type SigningKey } from '@latchkey/protocol/jwt';
import { describe, expect, it } from 'vitest';
import { createSetVerifier } from './set-verifier.js';

const ISSUER = 'https://idp.example';
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const key: SigningKey = { kid: 'k1', alg: 'ES256', privateKey };
const verificationKey = importVerificationKey({
  ...publicKey.export({ format: 'jwk' }),
  kid: 'k1',
  alg: 'ES256',
  use: 'sig',
})!;
const verify = createSetVerifier({
  issuer: ISSUER,
  audience: 'receiver',
  keys: () => verificationKey,
});

const claims = {
  iss: ISSUER,
  aud: 'receiver',
  iat: 1_700_000_000,
  jti: 'j1',
  txn: 't1',
  sub_id: { format: 'iss_sub', iss: ISSUER, sub: 'u1' },
  events: { [CAEP_SESSION_REVOKED]: { event_timestamp: 1_700_000_000 } },
};

async function codeOf(set: string): Promise<string> {
  try {
    await verify(set);
    return 'accepted';
  } catch (error) {
    return (error as { code: string }).code;
  }
}

describe('SET verification', () => {
  it('accepts a SET of the issuer for this receiver', async () => {
    expect(await verify(signCompactJws(key, 'secevent+jwt', claims))).toMatchObject({ jti: 'j1' });
  });

  it.each([
    ['another issuer', { iss: 'https://evil.example' }, 'ERR_CLAIM_ISSUER'],
    ['another audience', { aud: 'someone-else' }, 'ERR_CLAIM_AUDIENCE'],
    ['no jti', { jti: undefined }, 'ERR_CLAIM_INVALID'],
    ['no sub_id', { sub_id: undefined }, 'ERR_CLAIM_INVALID'],
    [
      'two events',
      { events: { [CAEP_SESSION_REVOKED]: {}, [CAEP_CREDENTIAL_CHANGE]: {} } },
      'ERR_CLAIM_INVALID',
    ],
  ])('refuses %s', async (_, override, code) => {
    expect(await codeOf(signCompactJws(key, 'secevent+jwt', { ...claims, ...override }))).toBe(
      code,
    );
  });

  it('refuses another typ (a logout token or an access token is not a SET)', async () => {
    expect(await codeOf(signCompactJws(key, 'logout+jwt', claims))).toBe('ERR_TOKEN_TYPE');
    expect(await codeOf(signCompactJws(key, 'at+jwt', claims))).toBe('ERR_TOKEN_TYPE');
  });

  it('refuses a SET signed by another key under the same kid', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const forged = signCompactJws(
      { kid: 'k1', alg: 'ES256', privateKey: other },
      'secevent+jwt',
      claims,
    );
    expect(await codeOf(forged)).toBe('ERR_SIGNATURE_INVALID');
  });

  it('refuses an unsigned SET', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'secevent+jwt' })).toString(
      'base64url',
    );
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    expect(await codeOf(`${header}.${body}.`)).not.toBe('accepted');
  });
});
