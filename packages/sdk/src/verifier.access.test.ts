import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TokenInvalidError } from './errors.js';
import { AUDIENCE, createFixture, type Fixture } from './test-support/fixture.js';
import { sign } from './test-support/keys.js';

let f: Fixture;
beforeAll(async () => {
  f = await createFixture();
});
afterAll(() => f.idp.close());
beforeEach(() => f.reset());

describe('verifyAccessToken: valid tokens', () => {
  it.each(['es256', 'rs256', 'eddsa'] as const)('accepts a %s access token', async (name) => {
    const claims = f.accessClaims();
    const token = await sign(f.keys[name], claims);
    await expect(f.verifier().verifyAccessToken(token)).resolves.toEqual(claims);
  });

  it('agrees with jose.jwtVerify on a jose-produced token', async () => {
    const token = await sign(f.keys.es256, f.accessClaims());
    const jwks = createLocalJWKSet({ keys: f.idp.keys });
    const expected = await jwtVerify(token, jwks, {
      issuer: f.idp.issuer,
      audience: AUDIENCE,
      typ: 'at+jwt',
      currentDate: new Date(f.clock.ms),
    });
    await expect(f.verifier().verifyAccessToken(token)).resolves.toEqual(expected.payload);
  });

  it('accepts typ application/at+jwt in any case', async () => {
    const claims = f.accessClaims();
    const token = await sign(f.keys.es256, claims, { typ: 'Application/AT+JWT' });
    await expect(f.verifier().verifyAccessToken(token)).resolves.toEqual(claims);
  });

  it('accepts an aud array containing one of the audiences', async () => {
    const claims = f.accessClaims({ aud: ['other', AUDIENCE] });
    const token = await sign(f.keys.es256, claims);
    await expect(f.verifier().verifyAccessToken(token)).resolves.toEqual(claims);
  });

  it('accepts any of several configured audiences', async () => {
    const claims = f.accessClaims({ aud: 'second' });
    const token = await sign(f.keys.es256, claims);
    const verifier = f.verifier({ audience: [AUDIENCE, 'second'] });
    await expect(verifier.verifyAccessToken(token)).resolves.toEqual(claims);
  });

  it('accepts a token expired within the clock tolerance', async () => {
    const claims = f.accessClaims({ exp: f.nowSec() - 3 });
    const token = await sign(f.keys.es256, claims);
    await expect(f.verifier().verifyAccessToken(token)).resolves.toEqual(claims);
  });

  it('accepts nbf and iat in the future within the clock tolerance', async () => {
    const claims = f.accessClaims({ nbf: f.nowSec() + 4, iat: f.nowSec() + 4 });
    const token = await sign(f.keys.es256, claims);
    await expect(f.verifier().verifyAccessToken(token)).resolves.toEqual(claims);
  });
});

describe('verifyAccessToken: claims', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['expired', { exp: 1_699_999_000 }, 'ERR_TOKEN_EXPIRED'],
    ['expired just beyond the tolerance', { exp: 1_700_000_000 - 5 }, 'ERR_TOKEN_EXPIRED'],
    ['nbf in the future', { nbf: 1_700_000_000 + 60 }, 'ERR_TOKEN_NOT_YET_VALID'],
    ['iat in the future', { iat: 1_700_000_000 + 60 }, 'ERR_TOKEN_NOT_YET_VALID'],
    ['wrong iss', { iss: 'https://evil.example' }, 'ERR_CLAIM_ISSUER'],
    ['iss with a trailing slash', { iss: 'ISSUER/' }, 'ERR_CLAIM_ISSUER'],
    ['wrong aud', { aud: 'https://other.example' }, 'ERR_CLAIM_AUDIENCE'],
    ['aud array without the audience', { aud: ['a', 'b'] }, 'ERR_CLAIM_AUDIENCE'],
    ['scope not a string', { scope: ['read'] }, 'ERR_CLAIM_INVALID'],
    ['sid not a string', { sid: 42 }, 'ERR_CLAIM_INVALID'],
    ['exp a string', { exp: '1700000300' }, 'ERR_CLAIM_INVALID'],
    ['aud empty array', { aud: [] }, 'ERR_CLAIM_INVALID'],
    ['roles not strings', { roles: [1] }, 'ERR_CLAIM_INVALID'],
  ];

  it.each(cases)('rejects %s', async (_name, overrides, code) => {
    const claims = f.accessClaims(overrides);
    if (claims.iss === 'ISSUER/') claims.iss = `${f.idp.issuer}/`;
    const token = await sign(f.keys.es256, claims);
    const error: unknown = await f
      .verifier()
      .verifyAccessToken(token)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenInvalidError);
    expect(error).toMatchObject({ code });
  });

  it.each(['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id'])(
    'rejects a token without %s, naming the claim',
    async (claim) => {
      const claims = f.accessClaims();
      delete claims[claim];
      const token = await sign(f.keys.es256, claims);
      await expect(f.verifier().verifyAccessToken(token)).rejects.toMatchObject({
        code: 'ERR_CLAIM_INVALID',
        claim,
      });
    },
  );

  it('honours a larger clock tolerance', async () => {
    const claims = f.accessClaims({ exp: f.nowSec() - 60 });
    const token = await sign(f.keys.es256, claims);
    const verifier = f.verifier({ clockToleranceSec: 120 });
    await expect(verifier.verifyAccessToken(token)).resolves.toEqual(claims);
  });
});

describe('verifyAccessToken: token type', () => {
  it.each([
    ['JWT', 'JWT'],
    ['missing', undefined],
    ['id token type', 'application/jwt'],
  ])('rejects typ %s', async (_name, typ) => {
    const token = await sign(f.keys.es256, f.accessClaims(), { typ });
    await expect(f.verifier().verifyAccessToken(token)).rejects.toMatchObject({
      code: 'ERR_TOKEN_TYPE',
    });
  });
});
