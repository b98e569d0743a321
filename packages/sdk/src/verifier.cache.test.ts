import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TokenRevokedError } from './errors.js';
import type { RevocationCheckClaims } from './revocation/revocation-source.js';
import { createFixture, type Fixture } from './test-support/fixture.js';
import { sign } from './test-support/keys.js';
import { createVerifier } from './verifier.js';

/**
 * The verified-token cache: a token seen before skips the signature check, and nothing else.
 * "Served from the cache" shows as the very same claims object coming back.
 */

let f: Fixture;
beforeAll(async () => {
  f = await createFixture();
});
afterAll(() => f.idp.close());
beforeEach(() => f.reset());

const hour = () => f.nowSec() + 3600;

describe('verifyAccessToken of a token seen before', () => {
  it('answers from the cache with the same claims, deeply frozen', async () => {
    const verifier = f.verifier();
    const token = await sign(f.keys.es256, f.accessClaims({ roles: ['user'] }));
    const first = await verifier.verifyAccessToken(token);
    const second = await verifier.verifyAccessToken(token);
    expect(second).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(() => first.roles!.push('admin')).toThrow(TypeError);
    expect(f.idp.jwksRequests).toBe(1);
  });

  it('refuses it once it has expired, with the error of a first verification', async () => {
    const verifier = f.verifier();
    const token = await sign(f.keys.es256, f.accessClaims({ exp: f.nowSec() + 60 }));
    await verifier.verifyAccessToken(token);
    f.clock.ms += 66_000; // past exp and the 5 s tolerance
    await expect(verifier.verifyAccessToken(token)).rejects.toMatchObject({
      code: 'ERR_TOKEN_EXPIRED',
    });
    await expect(verifier.verifyAccessToken(token)).rejects.toMatchObject({
      code: 'ERR_TOKEN_EXPIRED',
    });
  });

  it('refuses it when the clock goes back before its iat', async () => {
    const verifier = f.verifier();
    const token = await sign(f.keys.es256, f.accessClaims());
    await verifier.verifyAccessToken(token);
    f.clock.ms -= 60_000;
    await expect(verifier.verifyAccessToken(token)).rejects.toMatchObject({
      code: 'ERR_TOKEN_NOT_YET_VALID',
    });
  });

  it('asks the revocation source on every call and refuses it once revoked', async () => {
    const calls: RevocationCheckClaims[] = [];
    const revoked = new Set<string>();
    const revocation = {
      check(claims: RevocationCheckClaims) {
        calls.push(claims);
        if (claims.sid !== undefined && revoked.has(claims.sid)) {
          throw new TokenRevokedError('revoked');
        }
      },
    };
    const verifier = f.verifier({ revocation });
    const token = await sign(f.keys.es256, f.accessClaims({ sid: 'sid-1' }));
    const first = await verifier.verifyAccessToken(token);
    expect(await verifier.verifyAccessToken(token)).toBe(first);
    revoked.add('sid-1');
    for (let i = 0; i < 3; i += 1) {
      await expect(verifier.verifyAccessToken(token)).rejects.toMatchObject({
        code: 'ERR_TOKEN_REVOKED',
      });
    }
    expect(calls).toHaveLength(5);
  });

  it('refuses it once the IdP withdraws its key from the JWKS', async () => {
    const verifier = f.verifier();
    const token = await sign(f.keys.es256, f.accessClaims({ exp: hour() }));
    await verifier.verifyAccessToken(token);
    f.idp.keys = [f.keys.rs256.publicJwk];
    f.clock.ms += 301_000; // past the key set's default lifetime: the next call refetches
    await expect(verifier.verifyAccessToken(token)).rejects.toMatchObject({
      code: 'ERR_KEY_NOT_FOUND',
    });
  });

  it('verifies it afresh after the key set was refetched, and caches it again', async () => {
    const verifier = f.verifier();
    const token = await sign(f.keys.es256, f.accessClaims({ exp: hour() }));
    const first = await verifier.verifyAccessToken(token);
    f.clock.ms += 301_000;
    const afterRefetch = await verifier.verifyAccessToken(token);
    expect(f.idp.jwksRequests).toBe(2);
    expect(afterRefetch).not.toBe(first);
    expect(await verifier.verifyAccessToken(token)).toBe(afterRefetch);
  });

  it('holds at most tokenCacheSize tokens, dropping the oldest', async () => {
    const verifier = f.verifier({ tokenCacheSize: 2 });
    const tokens = await Promise.all([1, 2, 3].map(() => sign(f.keys.es256, f.accessClaims())));
    const claims = [];
    for (const token of tokens) claims.push(await verifier.verifyAccessToken(token));
    // The third pushed the first out; the second and third are still there.
    expect(await verifier.verifyAccessToken(tokens[2]!)).toBe(claims[2]);
    expect(await verifier.verifyAccessToken(tokens[1]!)).toBe(claims[1]);
    expect(await verifier.verifyAccessToken(tokens[0]!)).not.toBe(claims[0]);
  });

  it('caches nothing with tokenCacheSize 0', async () => {
    const verifier = f.verifier({ tokenCacheSize: 0 });
    const token = await sign(f.keys.es256, f.accessClaims());
    const first = await verifier.verifyAccessToken(token);
    expect(await verifier.verifyAccessToken(token)).not.toBe(first);
  });

  it('never caches a token that failed, nor lets a cached one pass as an ID token', async () => {
    const verifier = f.verifier();
    const forged = await sign(f.keys.rogue, f.accessClaims(), { kid: 'es-1' });
    for (let i = 0; i < 2; i += 1) {
      await expect(verifier.verifyAccessToken(forged)).rejects.toMatchObject({
        code: 'ERR_SIGNATURE_INVALID',
      });
    }
    const access = await sign(f.keys.es256, f.accessClaims());
    await verifier.verifyAccessToken(access);
    await expect(verifier.verifyIdToken(access)).rejects.toMatchObject({ code: 'ERR_TOKEN_TYPE' });
  });

  it.each([-1, 1.5, Number.NaN, '10'])('rejects tokenCacheSize %s with a TypeError', (size) => {
    expect(() =>
      createVerifier({
        issuer: 'https://idp.example',
        audience: 'api',
        tokenCacheSize: size as number,
      }),
    ).toThrow(TypeError);
  });
});
