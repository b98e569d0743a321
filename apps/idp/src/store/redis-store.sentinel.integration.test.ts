import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRedisSentinel, waitFor, type TestRedisSentinel } from '@latchkey/testing';
import { createRedisStore } from './redis-store.js';
import { describeStoreContract } from './store.contract.js';
import { StoreUnavailableError } from './store.js';

// One master, two replicas, three sentinels for the whole file; the fault test runs last.
let topology: TestRedisSentinel;
beforeAll(async () => {
  topology = await startTestRedisSentinel({ replicas: 2, sentinels: 3 });
}, 60_000);
afterAll(async () => {
  await topology?.close();
});

const errors: unknown[] = [];
describeStoreContract(
  'redis sentinel',
  () =>
    createRedisStore(topology.url, {
      logger: (event, fields) => {
        if (event === 'store.redis_error') errors.push(fields);
      },
    }),
  {
    afterAll: () => {
      expect(errors).toEqual([]);
    },
  },
);

describe('redis store through sentinel, when the master stops answering', () => {
  it('answers StoreUnavailableError while the reported master is unreachable, and recovers after the failover', async () => {
    const store = createRedisStore(topology.url, { commandTimeoutMs: 500 });
    try {
      const key = `test:${randomUUID()}:k`;
      expect(await store.set(key, 'before')).toBe(true);
      const master = await topology.currentMaster();
      // A "partition": the process keeps its sockets but answers nothing, and the sentinels
      // keep naming it until they agree it is down (down-after 1 s).
      master.pause();
      const pausedAt = Date.now();
      try {
        const refused = await store.set(key, 'during').catch((error: unknown) => error);
        expect(refused).toBeInstanceOf(StoreUnavailableError);
        await topology.waitForFailover(master);
        // Service resumes by itself, on the promoted replica, with the data it had.
        await waitFor(
          'writes to be accepted again',
          () => store.set(key, 'after').then(() => true),
          { timeoutMs: 30_000, intervalMs: 200 },
        );
        process.stdout.write(
          `[sentinel] master paused (SIGSTOP): writes refused until ${Date.now() - pausedAt} ms later\n`,
        );
        expect(await store.get(key)).toBe('after');
      } finally {
        master.resume();
      }
      // The old master, back from its partition, is demoted; the store stays on the new one.
      await waitFor(
        'the old master to rejoin as a replica',
        async () => (await topology.currentMaster()) !== master,
        { timeoutMs: 10_000, intervalMs: 200 },
      );
      await waitFor('writes to keep succeeding', () => store.set(key, 'later').then(() => true), {
        timeoutMs: 30_000,
        intervalMs: 200,
      });
    } finally {
      await store.close();
    }
  }, 90_000);
});
