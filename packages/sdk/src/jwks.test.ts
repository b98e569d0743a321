import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TokenInvalidError, VerificationUnavailableError } from './errors.js';
import { openKeySet, resolveKeySetOptions } from './jwks.js';
import { createTestKey, payloadOf } from './test-support/keys.js';
import { createFixture, type Fixture } from './test-support/fixture.js';
import { sign } from './test-support/keys.js';

let f: Fixture;
beforeAll(async () => {
  f = await createFixture();
});
afterAll(() => f.idp.close());
beforeEach(() => f.reset());

const SEC = 1000;
const goodToken = (): Promise<string> =>
  sign(f.keys.es256, f.accessClaims({ exp: f.nowSec() + 3600 }));

describe('unknown kid', () => {
  it('refetches once after the cooldown, then throws KeyNotFoundError', async () => {
    const verifier = f.verifier();
    await verifier.verifyAccessToken(await goodToken());
    expect(f.idp.jwksRequests).toBe(1);

    f.clock.ms += 31 * SEC;
    const token = await sign(f.keys.rogue, f.accessClaims(), { kid: 'unknown' });
    await expect(verifier.verifyAccessToken(token)).rejects.toMatchObject({
      code: 'ERR_KEY_NOT_FOUND',
    });
    expect(f.idp.jwksRequests).toBe(2);
  });

  it('does not refetch right after a fetch (the set is current)', async () => {
    const verifier = f.verifier();
    await verifier.verifyAccessToken(await goodToken());
    const token = await sign(f.keys.rogue, f.accessClaims(), { kid: 'unknown' });
    await expect(verifier.verifyAccessToken(token)).rejects.toMatchObject({
      code: 'ERR_KEY_NOT_FOUND',
    });
    expect(f.idp.jwksRequests).toBe(1);
  });

  it('lets 50 tokens with random kids cause at most one refetch per cooldown', async () => {
    const verifier = f.verifier();
    await verifier.verifyAccessToken(await goodToken());
    f.clock.ms += 31 * SEC;
    const tokens = await Promise.all(
      Array.from({ length: 50 }, () => sign(f.keys.rogue, f.accessClaims(), { kid: randomUUID() })),
    );
    const sequential = tokens.slice(0, 25);
    for (const token of sequential) {
      await expect(verifier.verifyAccessToken(token)).rejects.toMatchObject({
        code: 'ERR_KEY_NOT_FOUND',
      });
    }
    const results = await Promise.allSettled(
      tokens.slice(25).map((t) => verifier.verifyAccessToken(t)),
    );
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(f.idp.jwksRequests).toBe(2);

    f.clock.ms += 10 * SEC;
    await expect(verifier.verifyAccessToken(tokens[0]!)).rejects.toMatchObject({
      code: 'ERR_KEY_NOT_FOUND',
    });
    expect(f.idp.jwksRequests).toBe(2);
  });

  it('picks up a rotated-in key', async () => {
    const verifier = f.verifier();
    await verifier.verifyAccessToken(await goodToken());
    const next = await createTestKey('ES256', 'es-2');
    f.idp.keys = [...f.idp.keys, next.publicJwk];
    f.clock.ms += 31 * SEC;
    const claims = f.accessClaims();
    await expect(verifier.verifyAccessToken(await sign(next, claims))).resolves.toEqual(claims);
    expect(f.idp.jwksRequests).toBe(2);
  });
});

describe('caching', () => {
  it('shares one request among concurrent first verifications', async () => {
    const verifier = f.verifier();
    const token = await goodToken();
    await Promise.all(Array.from({ length: 20 }, () => verifier.verifyAccessToken(token)));
    expect(f.idp.jwksRequests).toBe(1);
  });

  /** Verifies once, then just before and just after `lifetimeSec`: one fetch, then two. */
  async function expectCacheLifetime(lifetimeSec: number): Promise<void> {
    const verifier = f.verifier();
    const token = await goodToken();
    await verifier.verifyAccessToken(token);
    f.clock.ms += (lifetimeSec - 1) * SEC;
    await verifier.verifyAccessToken(token);
    expect(f.idp.jwksRequests).toBe(1);
    f.clock.ms += 2 * SEC;
    await verifier.verifyAccessToken(token);
    expect(f.idp.jwksRequests).toBe(2);
  }

  it('honours Cache-Control max-age', async () => {
    f.idp.cacheControl = 'public, max-age=120';
    await expectCacheLifetime(120);
  });

  it.each(['no-store', 'no-cache', 'max-age=0', 'max-age=1'])(
    'raises %s to the 30 s minimum',
    async (cacheControl) => {
      f.idp.cacheControl = cacheControl;
      await expectCacheLifetime(30);
    },
  );

  it('uses 5 minutes without Cache-Control', async () => {
    await expectCacheLifetime(300);
  });

  it('revalidates with If-None-Match and keeps the set on 304', async () => {
    f.idp.etag = '"v1"';
    f.idp.cacheControl = 'max-age=60';
    const verifier = f.verifier();
    const token = await goodToken();
    await verifier.verifyAccessToken(token);
    expect(f.idp.lastIfNoneMatch).toBeUndefined();

    f.clock.ms += 61 * SEC;
    await expect(verifier.verifyAccessToken(token)).resolves.toEqual(payloadOf(token));
    expect(f.idp.lastIfNoneMatch).toBe('"v1"');
    expect(f.idp.notModifiedResponses).toBe(1);

    f.clock.ms += 59 * SEC;
    await verifier.verifyAccessToken(token);
    expect(f.idp.jwksRequests).toBe(2);
  });
});

describe('failures keep the last good key set', () => {
  it.each(['error500', 'html', 'empty', 'not-object', 'slow'] as const)(
    'keeps serving after %s, and retries only after the cooldown',
    async (mode) => {
      const verifier = f.verifier({ jwks: { timeoutMs: 100 } });
      const token = await goodToken();
      await verifier.verifyAccessToken(token);

      f.idp.mode = mode;
      f.idp.slowMs = 1_000;
      f.clock.ms += 301 * SEC;
      await expect(verifier.verifyAccessToken(token)).resolves.toEqual(payloadOf(token));
      expect(f.idp.jwksRequests).toBe(2);

      f.clock.ms += 10 * SEC;
      await expect(verifier.verifyAccessToken(token)).resolves.toEqual(payloadOf(token));
      expect(f.idp.jwksRequests).toBe(2);

      f.idp.mode = 'normal';
      f.clock.ms += 21 * SEC;
      await expect(verifier.verifyAccessToken(token)).resolves.toEqual(payloadOf(token));
      expect(f.idp.jwksRequests).toBe(3);
    },
  );
});

describe('no good key set ever', () => {
  it.each(['error500', 'html', 'empty', 'slow'] as const)(
    'throws JwksUnavailableError (not a TokenInvalidError) after %s',
    async (mode) => {
      f.idp.mode = mode;
      f.idp.slowMs = 1_000;
      const verifier = f.verifier({ jwks: { timeoutMs: 100 } });
      const error: unknown = await verifier
        .verifyAccessToken(await goodToken())
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'ERR_JWKS_UNAVAILABLE' });
      expect(error).toBeInstanceOf(VerificationUnavailableError);
      expect(error).not.toBeInstanceOf(TokenInvalidError);
    },
  );

  it('recovers once the IdP is back, without hammering it meanwhile', async () => {
    f.idp.mode = 'error500';
    const verifier = f.verifier();
    const token = await goodToken();
    for (let i = 0; i < 5; i += 1) {
      await expect(verifier.verifyAccessToken(token)).rejects.toMatchObject({
        code: 'ERR_JWKS_UNAVAILABLE',
      });
    }
    expect(f.idp.jwksRequests).toBe(1);
    f.idp.mode = 'normal';
    f.clock.ms += 1_001;
    await expect(verifier.verifyAccessToken(token)).resolves.toEqual(payloadOf(token));
    expect(f.idp.jwksRequests).toBe(2);
  });
});

describe('key-set options', () => {
  it.each([
    ['a non-https URL', 'http://idp.example/jwks', {}],
    ['a non-URL', 'not a url', {}],
    ['a negative cooldown', 'https://idp.example/jwks', { cooldownMs: -1 }],
    ['a zero timeout', 'https://idp.example/jwks', { timeoutMs: 0 }],
    ['min above max', 'https://idp.example/jwks', { cacheMinMs: 10, cacheMaxMs: 5 }],
  ])('rejects %s with a TypeError', (_name, url, options) => {
    expect(() => f.verifier({ jwksUri: url, jwks: options })).toThrow(TypeError);
  });

  it('serves keys by kid, synchronously once cached', async () => {
    const keySet = openKeySet(
      new URL(f.idp.jwksUri),
      resolveKeySetOptions({ now: () => f.clock.ms }),
    );
    await expect(keySet.getKey('rs-1')).resolves.toMatchObject({ kid: 'rs-1', alg: 'RS256' });
    expect(keySet.getKey('ed-1')).toMatchObject({ kid: 'ed-1', alg: 'EdDSA' });
  });
});
