import { channels } from '@latchkey/protocol';
import { redisCliAt, startTestRedis, waitFor, type TestRedis } from '@latchkey/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import { silentLogger } from '../logger.js';
import { createMemoryStore } from '../store/memory-store.js';
import { createRedisStore } from '../store/redis-store.js';
import type { Store } from '../store/store.js';
import { newUserFactory } from '../test-support/new-users.js';
import { freshTestDatabase } from '../test-support/test-database.js';
import { cacheUserReads, type CachingUserRepository } from './user-read-cache.js';
import { createUserRepository, type UserRepository } from './user.js';

/**
 * The cache of user reads on the real directory (PGlite) and real Redis servers: two caches on
 * one Redis play two IdP workers. `reads` counts the reads that reached the directory.
 */
let db: Database;
let directory: UserRepository;
let redis: TestRedis;
let reads: number;
let clock: number;
const newUser = newUserFactory('cached', 'cached');
const opened: { cache: CachingUserRepository; store: Store }[] = [];

beforeAll(async () => {
  db = await freshTestDatabase();
  const real = createUserRepository(db);
  directory = {
    ...real,
    findById: (id) => {
      reads += 1;
      return real.findById(id);
    },
  };
  redis = await startTestRedis();
}, 60_000);
afterAll(async () => {
  for (const { cache, store } of opened) {
    await cache.stop();
    await store.close();
  }
  await redis?.kill();
  await db?.close();
});
beforeEach(() => {
  reads = 0;
  clock = Date.now();
});

async function cacheOn(store: Store, ttlMs = 60_000): Promise<CachingUserRepository> {
  const cache = cacheUserReads(directory, {
    ttlMs,
    now: () => clock,
    store,
    logger: silentLogger,
  });
  opened.push({ cache, store });
  await cache.start();
  return cache;
}

async function someone(): Promise<string> {
  const user = newUser();
  await directory.save(user);
  return user.id;
}

describe('the user read cache (users/user-read-cache.ts)', () => {
  it('serves a repeated read from memory until the TTL passes', async () => {
    const cache = await cacheOn(createRedisStore(redis.url), 10_000);
    const id = await someone();
    expect((await cache.findById(id))?.id).toBe(id);
    expect((await cache.findById(id))?.id).toBe(id);
    expect(reads).toBe(1);
    clock += 10_001;
    await cache.findById(id);
    expect(reads).toBe(2);
  });

  it('reads the database every time before start, and with USER_CACHE_TTL off', async () => {
    const id = await someone();
    const notStarted = cacheUserReads(directory, {
      ttlMs: 60_000,
      now: () => clock,
      store: createMemoryStore(),
      logger: silentLogger,
    });
    await notStarted.findById(id);
    await notStarted.findById(id);
    const off = await cacheOn(createMemoryStore(), 0);
    await off.findById(id);
    await off.findById(id);
    expect(reads).toBe(4);
  });

  it('a write through the cache shows in the next read (roles, state, deletion)', async () => {
    const cache = await cacheOn(createRedisStore(redis.url));
    const id = await someone();
    expect((await cache.findById(id))?.roles).toEqual(['user']);
    await cache.setRoles(id, ['admin']);
    expect((await cache.findById(id))?.roles).toEqual(['admin']);
    await cache.setState(id, 'disabled');
    expect((await cache.findById(id))?.state).toBe('disabled');
    await cache.delete(id);
    expect(await cache.findById(id)).toBeNull();
  });

  it('an emailed link that activates or proves an address shows in the next read', async () => {
    const cache = await cacheOn(createRedisStore(redis.url));
    const pending = newUser({ state: 'pending' });
    await directory.save(pending);
    expect((await cache.findById(pending.id))?.state).toBe('pending');
    expect(await cache.activatePending(pending.id)).toBe(true);
    expect((await cache.findById(pending.id))?.state).toBe('active');
    const id = await someone();
    expect((await cache.findById(id))?.emailVerified).toBe(false);
    await cache.markEmailVerified(id);
    expect((await cache.findById(id))?.emailVerified).toBe(true);
  });

  it("another worker's write reaches this one through Redis", async () => {
    const here = await cacheOn(createRedisStore(redis.url));
    const there = await cacheOn(createRedisStore(redis.url));
    const id = await someone();
    expect((await here.findById(id))?.roles).toEqual(['user']);
    await there.setRoles(id, ['ops']);
    await waitFor('the change notice', async () => (await here.findById(id))?.roles[0] === 'ops');
  });

  it('a read in flight while a change arrives is not kept', async () => {
    const store = createRedisStore(redis.url);
    const id = await someone();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let slowReads = 0;
    const slow = cacheUserReads(
      {
        ...directory,
        findById: async (userId) => {
          slowReads += 1;
          const found = await directory.findById(userId);
          if (slowReads === 1) await gate;
          return found;
        },
      },
      { ttlMs: 60_000, now: () => clock, store, logger: silentLogger },
    );
    opened.push({ cache: slow, store });
    await slow.start();
    const inFlight = slow.findById(id);
    const other = await cacheOn(createRedisStore(redis.url));
    await other.setRoles(id, ['late']);
    // The notice is heard while the first read still waits on its (older) row.
    await new Promise((resolve) => setTimeout(resolve, 200));
    release();
    expect((await inFlight)?.roles).toEqual(['user']);
    expect((await slow.findById(id))?.roles).toEqual(['late']);
    expect(slowReads).toBe(2);
  });

  it('a notice that is not a user id empties the whole cache', async () => {
    const store = createRedisStore(redis.url);
    const cache = await cacheOn(store);
    const [a, b] = [await someone(), await someone()];
    await cache.findById(a);
    await cache.findById(b);
    expect(reads).toBe(2);
    await store.publish(channels.usersChanged, 'x'.repeat(201));
    await waitFor('the cache emptied', async () => {
      await cache.findById(a);
      return reads > 2;
    });
    await cache.findById(b);
    expect(reads).toBe(4);
  });

  it('a reconnect of the store empties the cache (notices may have been lost)', async () => {
    const cache = await cacheOn(createRedisStore(redis.url));
    const id = await someone();
    await cache.findById(id);
    await cache.findById(id);
    expect(reads).toBe(1);
    await redisCliAt(redis.port, 'CLIENT', 'KILL', 'TYPE', 'normal');
    await waitFor('a read after the reconnect', async () => {
      await cache.findById(id).catch(() => null);
      return reads > 1;
    });
  });

  it('without a subscription, reads go to the database (fail towards it)', async () => {
    const store = createMemoryStore();
    const cache = cacheUserReads(directory, {
      ttlMs: 60_000,
      now: () => clock,
      store: {
        ...store,
        subscribe: () => Promise.reject(new Error('subscriber down')),
        onReconnect: (listener) => store.onReconnect(listener),
        publish: (channel, message) => store.publish(channel, message),
      },
      logger: silentLogger,
    });
    await cache.start();
    const id = await someone();
    await cache.findById(id);
    await cache.findById(id);
    expect(reads).toBe(2);
  });
});
