import { storeKeys } from '@latchkey/protocol';
import { Redis } from 'ioredis';
import { startTestRedis, type TestRedis } from '@latchkey/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '../../store/create-store.js';
import type { Store } from '../../store/store.js';
import { digestToken } from '../../tokens/opaque-token.js';
import { createPushedRequests, REQUEST_URI_PREFIX } from './pushed-requests.js';

/** RFC 9126 §4 single use and the 60 s lifetime, in a real Redis. */
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

const PARAMS = new Map([
  ['client_id', ['shop']],
  ['resource', ['https://a.example/', 'https://b.example/']],
]);

describe('pushed authorization requests in Redis', () => {
  it('RFC 9126 4: of twenty concurrent uses of one request_uri, exactly one gets the request', async () => {
    const pushed = createPushedRequests(store, Date.now);
    const { requestUri } = await pushed.push('shop', PARAMS);
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => pushed.take(requestUri, 'shop')),
    );
    const taken = outcomes.filter((outcome) => outcome.kind === 'taken');
    expect(taken).toHaveLength(1);
    expect(taken[0]).toMatchObject({ params: PARAMS });
  });

  it('RFC 9126 2.2: the request is kept 60 s, under the digest of the URI only', async () => {
    const pushed = createPushedRequests(store, Date.now);
    const { requestUri, expiresInSec } = await pushed.push('shop', PARAMS);
    expect(expiresInSec).toBe(60);
    const handle = requestUri.slice(REQUEST_URI_PREFIX.length);
    const inspect = new Redis(redis.url);
    try {
      const ttl = await inspect.pttl(storeKeys.pushedAuthorizationRequest(digestToken(handle)));
      expect(ttl).toBeGreaterThan(55_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
      expect(await inspect.keys(`*${handle}*`)).toEqual([]);
    } finally {
      inspect.disconnect();
    }
  });
});
