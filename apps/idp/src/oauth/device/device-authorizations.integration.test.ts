import { storeKeys } from '@latchkey/protocol';
import { Redis } from 'ioredis';
import { startTestRedis, type TestRedis } from '@latchkey/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '../../store/create-store.js';
import type { Store } from '../../store/store.js';
import { createDeviceAuthorizations } from './device-authorizations.js';

/** The single use of an approved device code, and the keys' lifetimes, in a real Redis. */
let redis: TestRedis;
let store: Store;
beforeAll(async () => {
  redis = await startTestRedis();
  store = createStore(redis.url);
}, 30_000);
afterAll(async () => {
  await store?.close();
  await redis?.kill();
});

describe('device authorizations in Redis', () => {
  it('of twenty concurrent polls of an approved code, exactly one gets it', async () => {
    const devices = createDeviceAuthorizations(
      store,
      { codeTtlMs: 600_000, pollIntervalSec: 5 },
      Date.now,
    );
    const { deviceCode, userCode } = await devices.start({
      clientId: 'tv',
      scope: ['openid'],
      resources: ['https://api.example/'],
    });
    const found = (await devices.findPending(userCode))!;
    await devices.decide(found, { sid: 'sid-1', sub: 'user-1', authTime: 1 });
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => devices.poll(deviceCode, 'tv')),
    );
    expect(outcomes.filter((outcome) => outcome.kind === 'approved')).toHaveLength(1);
  });

  it('a user code expires with its lifetime, the device code record a little later', async () => {
    const devices = createDeviceAuthorizations(
      store,
      { codeTtlMs: 60_000, pollIntervalSec: 5 },
      Date.now,
    );
    const { userCode } = await devices.start({
      clientId: 'tv',
      scope: ['openid'],
      resources: ['https://api.example/'],
    });
    const found = (await devices.findPending(userCode))!;
    expect(found).not.toBeNull();
    const inspect = new Redis(redis.url);
    try {
      const userTtl = await inspect.pttl(storeKeys.userCode(userCode));
      const deviceTtl = await inspect.pttl(storeKeys.deviceCode(found.digest));
      expect(userTtl).toBeGreaterThan(55_000);
      expect(userTtl).toBeLessThanOrEqual(60_000);
      expect(deviceTtl).toBeGreaterThan(60_000);
      expect(deviceTtl).toBeLessThanOrEqual(60_000 + 600_000);
    } finally {
      inspect.disconnect();
    }
  });
});
