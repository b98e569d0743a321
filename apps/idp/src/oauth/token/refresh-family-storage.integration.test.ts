import { Redis } from 'ioredis';
import { storeKeys } from '@latchkey/protocol';
import { startTestRedis, type TestRedis } from '@latchkey/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '../../store/create-store.js';
import { codeFor, redeem, SHOP, signIn } from '../../test-support/grants.js';
import { startTestIdp, type TestIdp } from '../../test-support/test-idp.js';

/**
 * How a refresh family is stored in a real Redis. Single use under concurrency (twenty
 * simultaneous redemptions of a code or uses of a refresh token) is proven against IdP
 * processes, one and two on one Redis, in reliability/concurrency.test.ts.
 */
let redis: TestRedis;
let idp: TestIdp;
let inspect: Redis;
beforeAll(async () => {
  redis = await startTestRedis();
  idp = await startTestIdp({ REDIS_URL: redis.url }, createStore(redis.url));
  inspect = new Redis(redis.url);
}, 30_000);
afterAll(async () => {
  inspect?.disconnect();
  await idp?.close();
  await redis?.kill();
});

const familyKeys = () => inspect.keys(storeKeys.refreshFamily('*'));

describe('refresh families in Redis', () => {
  it('a refresh family lives in Redis only as a digest, with a TTL no longer than the session', async () => {
    const { session } = await signIn(idp, { username: 'digest' });
    const before = new Set(await familyKeys());
    const result = await redeem(idp, await codeFor(idp.store, session, SHOP), SHOP);
    const token = result.json.refresh_token as string;
    const [key] = (await familyKeys()).filter((name) => !before.has(name));
    expect(key).toBeDefined();
    const raw = (await inspect.get(key!))!;
    expect(raw).not.toContain(token.split('.')[1]!);
    const ttl = await inspect.pttl(key!);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(session.expiresAt - Date.now() + 1000);
  });
});
