import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisStore } from './redis-store.js';
import { describeStoreContract } from './store.contract.js';
import { StoreUnavailableError, type Store } from './store.js';
import { freePort, startTestRedis, waitFor, type TestRedis } from '@latchkey/testing';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

interface LogEntry {
  event: string;
  fields?: Record<string, unknown>;
}

function recordingLogger(): {
  entries: LogEntry[];
  log: (e: string, f?: Record<string, unknown>) => void;
} {
  const entries: LogEntry[] = [];
  return { entries, log: (event, fields) => entries.push({ event, fields }) };
}

const contractLog = recordingLogger();
describeStoreContract('redis', () => createRedisStore(REDIS_URL, { logger: contractLog.log }), {
  afterAll: () => {
    // A healthy server must not produce connection errors; only the deliberately
    // throwing subscriber of the contract may have been logged.
    expect(contractLog.entries.filter((entry) => entry.event === 'store.redis_error')).toEqual([]);
  },
});

/** Every call of the store, so a test can check that all of them fail the same way. */
function everyCall(store: Store, prefix: string): Array<[string, () => Promise<unknown>]> {
  const k = `${prefix}k`;
  return [
    ['get', () => store.get(k)],
    ['set', () => store.set(k, 'v', { ttlMs: 1_000 })],
    ['compareAndSet', () => store.compareAndSet(k, null, 'v')],
    ['take', () => store.take(k)],
    ['delete', () => store.delete(k)],
    ['increment', () => store.increment(k, 1_000)],
    ['countWithinLimits', () => store.countWithinLimits([{ key: k, limit: 5 }], 1_000)],
    ['decrement', () => store.decrement(k)],
    ['publish', () => store.publish(`${prefix}c`, 'm')],
    ['subscribe', () => store.subscribe(`${prefix}c`, () => {})],
    ['ping', () => store.ping()],
  ];
}

/** Runs all calls at once; each must reject with StoreUnavailableError, and all within `ms`. */
async function expectAllUnavailable(
  calls: Array<[string, () => Promise<unknown>]>,
  ms: number,
): Promise<void> {
  const started = Date.now();
  const outcomes = await Promise.allSettled(calls.map(([, call]) => call()));
  const elapsed = Date.now() - started;
  outcomes.forEach((outcome, i) => {
    const name = calls[i]![0];
    expect(outcome.status, name).toBe('rejected');
    if (outcome.status === 'rejected') {
      expect(outcome.reason, name).toBeInstanceOf(StoreUnavailableError);
      expect(outcome.reason, name).toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
    }
  });
  expect(elapsed).toBeLessThan(ms);
}

describe('redis store', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    // Servers and stores are released even when the test failed half-way.
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('returns at once, without waiting for a connection', async () => {
    const started = Date.now();
    const store = createRedisStore(REDIS_URL);
    cleanups.push(() => store.close());
    expect(Date.now() - started).toBeLessThan(50);
    // The first call waits for the background connection instead of failing.
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('fails fast with StoreUnavailableError when nothing listens, and keeps the process up', async () => {
    const port = await freePort();
    const log = recordingLogger();
    const store = createRedisStore(`redis://127.0.0.1:${port}`, { logger: log.log });
    cleanups.push(() => store.close());

    await expectAllUnavailable(everyCall(store, `test:${randomUUID()}:`), 2_000);
    // Reaching this line at all means no connection error escaped as an uncaught exception.
    await waitFor('a logged connection error', () =>
      log.entries.some((entry) => entry.event === 'store.redis_error'),
    );
    const errors = log.entries.filter((entry) => entry.event === 'store.redis_error');
    // Rate-limited: one retry every 100 ms or more, yet the same message is logged once.
    expect(errors.filter((e) => e.fields?.connection === 'command')).toHaveLength(1);
  });

  it('wraps the underlying error as the cause', async () => {
    const port = await freePort();
    const store = createRedisStore(`redis://127.0.0.1:${port}`, { commandTimeoutMs: 200 });
    cleanups.push(() => store.close());
    const error = await store.get('k').catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error).toMatchObject({ cause: expect.any(Error) });
  });

  it('makes commands atomic across connections, as separate IdP instances use them', async () => {
    const stores = [
      createRedisStore(REDIS_URL),
      createRedisStore(REDIS_URL),
      createRedisStore(REDIS_URL),
    ];
    cleanups.push(async () => {
      await Promise.all(stores.map((store) => store.close()));
    });
    const key = `test:${randomUUID()}:k`;
    cleanups.push(async () => {
      await stores[0]!.delete(key);
    });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => stores[i % 3]!.compareAndSet(key, null, `v${i}`)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const taken = await Promise.all(Array.from({ length: 30 }, (_, i) => stores[i % 3]!.take(key)));
    expect(taken.filter((value) => value !== null)).toHaveLength(1);
  });

  it('delivers a message published by another instance', async () => {
    const [publisher, listener] = [createRedisStore(REDIS_URL), createRedisStore(REDIS_URL)];
    cleanups.push(async () => {
      await Promise.all([publisher.close(), listener.close()]);
    });
    const channel = `test:${randomUUID()}:c`;
    const received: string[] = [];
    await listener.subscribe(channel, (message) => received.push(message));
    await publisher.publish(channel, 'across');
    await waitFor('the message', () => received.length > 0);
    expect(received).toEqual(['across']);
  });

  it('survives a Redis crash and restart without being recreated, subscriptions included', async () => {
    const server: TestRedis = await startTestRedis();
    cleanups.push(() => server.kill());
    const log = recordingLogger();
    const store = createRedisStore(server.url, {
      commandTimeoutMs: 500,
      logger: log.log,
    });
    cleanups.push(() => store.close());
    const prefix = `test:${randomUUID()}:`;
    const channel = `${prefix}events`;
    const received: string[] = [];
    await store.subscribe(channel, (message) => received.push(message));
    await store.set(`${prefix}k`, 'before');
    await store.publish(channel, 'before');
    await waitFor('the first message', () => received.includes('before'));

    await server.kill();
    // Straight after the crash, while the client may still think it is connected...
    await expectAllUnavailable(everyCall(store, prefix), 1_500);
    // ...and once it has failed to reconnect, the steady state of an outage.
    await waitFor('a failed reconnection', () =>
      log.entries.some((entry) => entry.event === 'store.redis_error'),
    );
    await expectAllUnavailable(everyCall(store, prefix), 1_500);

    await server.start();
    // Reconnection backs off by at most two seconds between attempts.
    await waitFor('the store to reconnect', () => store.ping().then(() => true), {
      timeoutMs: 10_000,
      intervalMs: 100,
    });
    // The restarted server kept nothing (no persistence), and takes writes again.
    expect(await store.get(`${prefix}k`)).toBeNull();
    expect(await store.set(`${prefix}k`, 'after')).toBe(true);
    expect(await store.increment(`${prefix}n`, 1_000)).toMatchObject({ count: 1 });
    expect(await store.compareAndSet(`${prefix}k`, 'after', 'again')).toBe(true);
    // The subscription made before the crash hears messages published after the restart.
    // Re-subscription may land a moment after the command connection is back: publish
    // until a message arrives.
    let sent = 0;
    await waitFor(
      'a message on the subscription made before the crash',
      async () => {
        await store.publish(channel, `after-${(sent += 1)}`);
        return received.some((message) => message.startsWith('after-'));
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    expect(received[0]).toBe('before');
    // Connected at start and again after the restart, and said so both times.
    const readyLogs = log.entries.filter(
      (entry) => entry.event === 'store.redis_ready' && entry.fields?.connection === 'command',
    );
    expect(readyLogs.length).toBeGreaterThanOrEqual(2);
  });
});

describe('createRedisStore: after Redis comes back', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('tells onReconnect listeners once per reconnection, never on the first connect', async () => {
    const server: TestRedis = await startTestRedis();
    cleanups.push(() => server.kill());
    const store = createRedisStore(server.url, { commandTimeoutMs: 500 });
    cleanups.push(() => store.close());
    let reconnections = 0;
    const stop = store.onReconnect(() => (reconnections += 1));
    await store.ping();
    expect(reconnections).toBe(0);

    await server.kill();
    await server.start();
    await waitFor('the listener told', () => reconnections === 1, { timeoutMs: 10_000 });
    await store.ping();
    expect(reconnections).toBe(1);

    stop();
    await server.kill();
    await server.start();
    await waitFor('the store to reconnect', () => store.ping().then(() => true), {
      timeoutMs: 10_000,
      intervalMs: 100,
    });
    expect(reconnections).toBe(1);
  });

  it('refuses a WAIT that would outlast the command timeout (it holds the connection)', async () => {
    const server: TestRedis = await startTestRedis();
    cleanups.push(() => server.kill());
    const store = createRedisStore(server.url, { commandTimeoutMs: 500 });
    cleanups.push(() => store.close());
    await expect(store.waitForReplicas('k', 1, 500)).rejects.toThrow(RangeError);
    await expect(store.waitForReplicas('k', 1, 0)).rejects.toThrow(RangeError);
    // No replica: WAIT answers 0 once its timeout passes, and nothing is mistaken for one.
    await expect(store.waitForReplicas('k', 1, 50)).resolves.toBe(0);
  });
});
