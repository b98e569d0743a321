import { afterAll, describe, expect, it } from 'vitest';
import { storeKeys } from '@latchkey/protocol';
import { freePort, startTestRedis, waitFor, type TestRedis } from '@latchkey/testing';
import { startIdp, type IdpProcess } from '../src/test-support/idp-process.js';
import { authorizeUrl } from '../src/test-support/browser.js';
import { ALICE, fullSignIn, SHOP, timedFetch, tokenRequest } from './support/oauth-flows.js';
import { inspectRedis } from './support/redis-inspect.js';

/**
 * Promise 1: an IdP started while Redis is unreachable says so at /readyz, serves nothing that
 * needs the store (no silent fallback to an in-process memory store), and becomes ready by
 * itself, with no restart, once Redis appears on the port it was given.
 */

let redis: TestRedis | undefined;
let idp: IdpProcess | undefined;

afterAll(async () => {
  await idp?.kill();
  await redis?.kill();
});

describe('promise 1: Redis unreachable at IdP start', () => {
  it('answers /readyz 503 naming Redis, keeps nothing in process, and is ready by itself soon after Redis appears', async () => {
    const port = await freePort();
    idp = await startIdp(
      { REDIS_URL: `redis://127.0.0.1:${port}`, LOG_LEVEL: 'warn' },
      { ready: false },
    );

    // Live, not ready, and the reason names the store and Redis.
    expect((await timedFetch(`${idp.url}/healthz`)).status).toBe(200);
    const notReady = await timedFetch(`${idp.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(notReady.ms).toBeLessThan(3_000);
    const reasons = (notReady.json as { reasons: string[] }).reasons;
    expect(reasons).toContain('store unreachable: Redis did not answer');
    expect(reasons.join(' ')).toMatch(/Redis/);

    // No fallback to memory: every request that needs the store is refused with a 503, fast.
    const authorize = await timedFetch(
      authorizeUrl(idp.url, { clientId: SHOP.clientId, redirectUri: SHOP.redirectUri }).url,
    );
    expect(authorize.status).toBe(503);
    expect(authorize.contentType).toContain('text/html');
    const login = await timedFetch(`${idp.url}/login?authz=${'C'.repeat(43)}`);
    expect(login.status).toBe(503);
    const code = await tokenRequest(idp.url, {
      grant_type: 'authorization_code',
      code: 'A'.repeat(43),
      redirect_uri: SHOP.redirectUri,
      code_verifier: 'B'.repeat(43),
    });
    expect(code.status).toBe(503);
    expect(code.json).toMatchObject({ error: 'temporarily_unavailable' });
    const jwks = await timedFetch(`${idp.url}/jwks`);
    expect(jwks.status).toBe(503);
    for (const answer of [authorize, login, code, jwks]) expect(answer.ms).toBeLessThan(3_000);

    // Redis appears on the port the IdP was given: ready by itself, no restart.
    redis = await startTestRedis(port);
    const appearedAt = performance.now();
    await waitFor('the IdP to become ready', async () => (await fetch(`${idp!.url}/readyz`)).ok, {
      timeoutMs: 15_000,
      intervalMs: 20,
    });
    const readyAfterMs = performance.now() - appearedAt;
    process.stdout.write(`[promise 1] ready ${Math.round(readyAfterMs)} ms after Redis appeared\n`);
    // Bounded by the client's reconnect backoff (at most 2 s) and one load, not by a 5 s tick.
    expect(readyAfterMs).toBeLessThan(5_000);

    // What it serves now lives in Redis: the keys it loaded, the session of a sign-in.
    const inspector = inspectRedis(redis.url);
    try {
      await waitFor(
        'the demo users to be seeded',
        async () => {
          try {
            await fullSignIn(idp!.url, ALICE);
            return true;
          } catch {
            return false;
          }
        },
        { timeoutMs: 10_000, intervalMs: 100 },
      );
      const signedIn = await fullSignIn(idp.url, ALICE);
      expect(signedIn.tokens.access_token).toEqual(expect.any(String));
      expect(await inspector.exists(storeKeys.keySet)).toBe(true);
      expect(await inspector.idpConnections()).toBeGreaterThanOrEqual(1);
      expect(await inspector.brokenInvariants()).toEqual([]);
    } finally {
      await inspector.close();
    }
    expect(idp.output()).not.toMatch(/fatal|unhandled/i);
  });
});
