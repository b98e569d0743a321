import { afterAll, beforeAll, expect } from 'vitest';
import { startTestRedisCluster, type TestRedisCluster } from '@latchkey/testing';
import { createRedisStore } from './redis-store.js';
import { describeStoreContract } from './store.contract.js';

// One 3-master, 3-replica cluster for the whole file: starting one takes a few seconds.
let cluster: TestRedisCluster;
beforeAll(async () => {
  cluster = await startTestRedisCluster({ masters: 3, replicasPerMaster: 1 });
}, 60_000);
afterAll(async () => {
  await cluster?.close();
});

const errors: unknown[] = [];
describeStoreContract(
  'redis cluster',
  () =>
    createRedisStore(cluster.url, {
      logger: (event, fields) => {
        if (event === 'store.redis_error') errors.push(fields);
      },
    }),
  {
    afterAll: () => {
      // A healthy cluster produces no connection errors.
      expect(errors).toEqual([]);
    },
  },
);
