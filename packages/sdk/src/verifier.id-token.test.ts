import { accessTokenHash } from '@latchkey/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLIENT_ID, createFixture, type Fixture } from './test-support/fixture.js';
import { payloadOf, sign } from './test-support/keys.js';

let f: Fixture;
beforeAll(async () => {
  f = await createFixture();
});
afterAll(() => f.idp.close());
beforeEach(() => f.reset());

const idToken = (claims: Record<string, unknown>, typ?: string): Promise<string> =>
  sign(f.keys.es256, claims, { typ });

describe('verifyIdToken', () => {
  it('accepts an untyped ID token and one typed JWT', async () => {
    const claims = f.idClaims({ nonce: 'n-1' });
    await expect(f.verifier().verifyIdToken(await idToken(claims))).resolves.toEqual(claims);
    await expect(f.verifier().verifyIdToken(await idToken(claims, 'JWT'))).resolves.toEqual(claims);
  });

  it('rejects an access token (typ at+jwt) presented as an ID token', async () => {
    const token = await sign(f.keys.es256, f.accessClaims({ aud: CLIENT_ID }));
    await expect(f.verifier().verifyIdToken(token)).rejects.toMatchObject({
      code: 'ERR_TOKEN_TYPE',
    });
  });

  it('rejects an aud without the client_id', async () => {
    const token = await idToken(f.idClaims({ aud: 'someone-else' }));
    await expect(f.verifier().verifyIdToken(token)).rejects.toMatchObject({
      code: 'ERR_CLAIM_AUDIENCE',
    });
  });

  it('rejects expired ID tokens and a wrong issuer', async () => {
    const expired = await idToken(f.idClaims({ exp: f.nowSec() - 60 }));
    await expect(f.verifier().verifyIdToken(expired)).rejects.toMatchObject({
      code: 'ERR_TOKEN_EXPIRED',
    });
    const foreign = await idToken(f.idClaims({ iss: 'https://evil.example' }));
    await expect(f.verifier().verifyIdToken(foreign)).rejects.toMatchObject({
      code: 'ERR_CLAIM_ISSUER',
    });
  });

  describe('nonce', () => {
    it('accepts the matching nonce', async () => {
      const token = await idToken(f.idClaims({ nonce: 'n-1' }));
      await expect(f.verifier().verifyIdToken(token, { nonce: 'n-1' })).resolves.toEqual(
        payloadOf(token),
      );
    });

    it.each([
      ['mismatched', { nonce: 'n-2' }],
      ['missing', {}],
    ])('rejects a %s nonce', async (_name, extra) => {
      const token = await idToken(f.idClaims(extra));
      await expect(f.verifier().verifyIdToken(token, { nonce: 'n-1' })).rejects.toMatchObject({
        code: 'ERR_CLAIM_NONCE',
      });
    });
  });

  describe('azp', () => {
    it('requires azp when aud has several values', async () => {
      const token = await idToken(f.idClaims({ aud: [CLIENT_ID, 'other'] }));
      await expect(f.verifier().verifyIdToken(token)).rejects.toMatchObject({
        code: 'ERR_CLAIM_INVALID',
        claim: 'azp',
      });
    });

    it('accepts several audiences when azp is the client_id', async () => {
      const token = await idToken(f.idClaims({ aud: [CLIENT_ID, 'other'], azp: CLIENT_ID }));
      await expect(f.verifier().verifyIdToken(token)).resolves.toEqual(payloadOf(token));
    });

    it.each([
      ['several audiences', [CLIENT_ID, 'other']],
      ['one audience', CLIENT_ID],
    ])('rejects an azp that is not the client_id (%s)', async (_name, aud) => {
      const token = await idToken(f.idClaims({ aud, azp: 'other' }));
      await expect(f.verifier().verifyIdToken(token)).rejects.toMatchObject({
        code: 'ERR_CLAIM_AUDIENCE',
      });
    });
  });

  describe('maxAgeSec', () => {
    it('requires auth_time', async () => {
      const token = await idToken(f.idClaims());
      await expect(f.verifier().verifyIdToken(token, { maxAgeSec: 600 })).rejects.toMatchObject({
        code: 'ERR_CLAIM_INVALID',
        claim: 'auth_time',
      });
    });

    it('accepts a recent authentication and rejects an old one', async () => {
      const recent = await idToken(f.idClaims({ auth_time: f.nowSec() - 60 }));
      await expect(f.verifier().verifyIdToken(recent, { maxAgeSec: 600 })).resolves.toEqual(
        payloadOf(recent),
      );
      const old = await idToken(f.idClaims({ auth_time: f.nowSec() - 3600 }));
      await expect(f.verifier().verifyIdToken(old, { maxAgeSec: 600 })).rejects.toMatchObject({
        code: 'ERR_TOKEN_EXPIRED',
      });
    });
  });

  describe('at_hash (OIDC Core 3.1.3.8)', () => {
    const accessToken = 'header.payload.signature-of-the-access-token';

    it.each([
      ['ES256', () => f.keys.es256],
      ['RS256', () => f.keys.rs256],
      ['EdDSA', () => f.keys.eddsa],
    ] as const)('accepts the hash of the access token issued with it (%s)', async (alg, key) => {
      const claims = f.idClaims({ at_hash: accessTokenHash(accessToken, alg) });
      const token = await sign(key(), claims, { typ: undefined });
      await expect(f.verifier().verifyIdToken(token, { accessToken })).resolves.toEqual(claims);
    });

    it.each([
      ['missing', {}],
      ['for another access token', { at_hash: accessTokenHash('another.access.token', 'ES256') }],
      ['hashed with the wrong algorithm', { at_hash: accessTokenHash(accessToken, 'EdDSA') }],
      ['not a string', { at_hash: 42 }],
    ])('rejects an at_hash that is %s', async (_name, extra) => {
      const token = await idToken(f.idClaims(extra));
      await expect(f.verifier().verifyIdToken(token, { accessToken })).rejects.toMatchObject({
        code: 'ERR_CLAIM_INVALID',
        claim: 'at_hash',
      });
    });
  });

  describe('caller mistakes are TypeErrors', () => {
    it('needs the clientId option', async () => {
      const token = await idToken(f.idClaims());
      await expect(f.verifier({ clientId: undefined }).verifyIdToken(token)).rejects.toBeInstanceOf(
        TypeError,
      );
    });

    it.each([{ nonce: '' }, { maxAgeSec: -1 }, { maxAgeSec: Number.NaN }, { accessToken: '' }])(
      'rejects the options %j',
      async (options) => {
        const token = await idToken(f.idClaims());
        await expect(f.verifier().verifyIdToken(token, options)).rejects.toBeInstanceOf(TypeError);
      },
    );
  });
});
