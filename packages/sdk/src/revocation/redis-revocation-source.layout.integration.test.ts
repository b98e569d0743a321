import { encodeStoreLayout, STORE_LAYOUT_VERSION, storeLayoutKey } from '@latchkey/protocol';
import { startTestRedis, waitFor, type TestRedis } from '@latchkey/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RevocationLayoutError } from '../errors.js';
import { outcome, writeRevocation } from '../test-support/revocations.js';
import {
  createRedisRevocationSource,
  type RedisRevocationSource,
} from './redis-revocation-source.js';

/** The Redis source on a Redis whose key layout was written by another Latchkey version. */

let redis: TestRedis;
let writer: Redis;
const sources: RedisRevocationSource[] = [];

function source(failOpen = false): RedisRevocationSource {
  const created = createRedisRevocationSource({ url: redis.url, maxStalenessMs: 200, failOpen });
  sources.push(created);
  return created;
}

const OTHER = STORE_LAYOUT_VERSION + 1;
const token = { sub: 'user-1', sid: 'sid-1', iat: Math.floor(Date.now() / 1000) };

describe('Redis revocation source: key layout', { timeout: 30_000 }, () => {
  beforeAll(async () => {
    redis = await startTestRedis();
    writer = new Redis(redis.url);
  });
  afterAll(async () => {
    writer.disconnect();
    await redis.kill();
  });
  beforeEach(async () => {
    await writer.flushall();
  });
  afterEach(async () => {
    await Promise.all(sources.splice(0).map((s) => s.close()));
  });

  it('reads a store of its own layout, and one where none was written yet', async () => {
    const fresh = source();
    await fresh.ready({ signal: AbortSignal.timeout(5_000) });
    expect(outcome(() => fresh.check(token))).toBe('valid');

    await writer.set(storeLayoutKey, encodeStoreLayout(STORE_LAYOUT_VERSION));
    const own = source();
    await own.ready({ signal: AbortSignal.timeout(5_000) });
    expect(outcome(() => own.check(token))).toBe('valid');
  });

  it('fails closed on another layout, naming both versions, even with failOpen', async () => {
    await writer.set(storeLayoutKey, encodeStoreLayout(OTHER));
    // What a newer IdP wrote may mean something else to this version: never read as "none".
    await writeRevocation(writer, {
      kind: 'session',
      sid: 'sid-9',
      expiresAt: Date.now() + 60_000,
    });
    for (const s of [source(), source(true)]) {
      const error: unknown = await s.ready({ signal: AbortSignal.timeout(5_000) }).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(RevocationLayoutError);
      expect(error).toMatchObject({
        code: 'ERR_REVOCATION_LAYOUT',
        expected: STORE_LAYOUT_VERSION,
        found: OTHER,
      });
      expect((error as Error).message).toContain(`layout ${OTHER}`);
      expect((error as Error).message).toContain(`layout ${STORE_LAYOUT_VERSION}`);
      expect(outcome(() => s.check(token))).toBe('ERR_REVOCATION_LAYOUT');
      expect(s.status).toMatchObject({ stale: true });
    }
  });

  it('names what it found when the layout is not a version at all', async () => {
    await writer.set(storeLayoutKey, 'v9-beta');
    const s = source();
    await expect(s.ready({ signal: AbortSignal.timeout(5_000) })).rejects.toMatchObject({
      code: 'ERR_REVOCATION_LAYOUT',
      found: 'v9-beta',
    });
  });

  it('recovers by itself once the store holds its layout again', async () => {
    await writer.set(storeLayoutKey, encodeStoreLayout(OTHER));
    const s = source();
    await expect(s.ready({ signal: AbortSignal.timeout(5_000) })).rejects.toMatchObject({
      code: 'ERR_REVOCATION_LAYOUT',
    });
    await writer.set(storeLayoutKey, encodeStoreLayout(STORE_LAYOUT_VERSION));
    await waitFor(
      'the source to accept the store',
      () => outcome(() => s.check(token)) === 'valid',
      {
        timeoutMs: 5_000,
      },
    );
    await expect(s.ready()).resolves.toBeUndefined();
  });
});
