import { startTestRedis, type TestRedis } from '@latchkey/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRedisReplayCache, DEFAULT_REPLAY_PREFIX } from './redis-replay-cache.js';

/** The shared replay cache against a real redis-server. */

let redis: TestRedis;
let client: Redis;

describe('Redis replay cache', { timeout: 30_000 }, () => {
  beforeAll(async () => {
    redis = await startTestRedis();
    client = new Redis(redis.url);
  });
  afterAll(async () => {
    client.disconnect();
    await redis.kill();
  });
  beforeEach(async () => {
    await client.flushall();
  });

  it('says new once, then seen, with a TTL to the expiry', async () => {
    const cache = createRedisReplayCache({ redis: client });
    const expiresAt = Date.now() + 60_000;
    expect(await cache.remember('k1', expiresAt)).toBe(true);
    expect(await cache.remember('k1', expiresAt)).toBe(false);
    const ttl = await client.pttl(`${DEFAULT_REPLAY_PREFIX}k1`);
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('is shared: two instances on one Redis, racing, let exactly one through', async () => {
    const other = new Redis(redis.url);
    try {
      const a = createRedisReplayCache({ redis: client });
      const b = createRedisReplayCache({ redis: other });
      const expiresAt = Date.now() + 60_000;
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).remember('race', expiresAt)),
      );
      expect(answers.filter(Boolean)).toHaveLength(1);
    } finally {
      other.disconnect();
    }
  });

  it('forgets a record once it expires', async () => {
    const clock = { ms: Date.now() };
    const cache = createRedisReplayCache({ redis: client, now: () => clock.ms });
    // The shortest record is a second long, however close the expiry.
    expect(await cache.remember('k2', clock.ms + 10)).toBe(true);
    expect(await client.pttl(`${DEFAULT_REPLAY_PREFIX}k2`)).toBeGreaterThan(900);
    await client.pexpire(`${DEFAULT_REPLAY_PREFIX}k2`, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await cache.remember('k2', clock.ms + 60_000)).toBe(true);
  });

  it('keeps to its prefix', async () => {
    const cache = createRedisReplayCache({ redis: client, prefix: 'shop:bcl:' });
    await cache.remember('k3', Date.now() + 60_000);
    expect(await client.keys('*')).toEqual(['shop:bcl:k3']);
  });

  it('a Redis that cannot be reached is ERR_VERIFICATION_UNAVAILABLE', async () => {
    const down = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    down.on('error', () => {});
    const cache = createRedisReplayCache({ redis: down });
    await expect(cache.remember('k4', Date.now() + 60_000)).rejects.toMatchObject({
      code: 'ERR_VERIFICATION_UNAVAILABLE',
    });
    down.disconnect();
  });

  it('refuses options without an ioredis client (TypeError)', () => {
    expect(() => createRedisReplayCache({} as never)).toThrow(TypeError);
    expect(() => createRedisReplayCache({ redis: client, prefix: 1 as never })).toThrow(TypeError);
  });
});
