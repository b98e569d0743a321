import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster, Redis } from 'ioredis';
import { startTestRedisCluster, waitFor, type TestRedisCluster } from '@latchkey/testing';
import { createRedisStore } from './redis-store.js';
import {
  openSubscriberConnection,
  REASSERT_EVERY_MS,
  RedisSubscriber,
} from './redis-subscriber.js';
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

describe('the subscriber on a cluster', () => {
  it('subscribes again to a channel its node connection dropped without a word', async () => {
    let clusterClient: Cluster | undefined;
    const subscriber = new RedisSubscriber(
      () =>
        (clusterClient = openSubscriberConnection(cluster.url, {
          commandTimeoutMs: 1_000,
          connectTimeoutMs: 1_000,
        }) as Cluster),
      1_000,
      () => {},
    );
    const store = createRedisStore(cluster.url);
    try {
      const channel = `test:${randomUUID()}`;
      const heard: string[] = [];
      await subscriber.subscribe(channel, (message) => heard.push(message));
      await store.publish(channel, 'before');
      await waitFor('the first message', () => heard.length === 1, { timeoutMs: 5_000 });
      // What a failed move of the subscriptions leaves behind: ioredis's connection to the
      // subscriber node is up, and neither it nor the node holds the channel any more. The
      // connection is private to ioredis; reaching it is the only way to stage that state.
      const node = (
        clusterClient as unknown as { subscriber: { getInstance(): Redis } }
      ).subscriber.getInstance();
      await node.unsubscribe(channel);
      await store.publish(channel, 'lost');
      const droppedAt = Date.now();
      let sent = 0;
      await waitFor(
        'a message after the channel was dropped',
        async () => {
          await store.publish(channel, `after-${(sent += 1)}`);
          return heard.some((message) => message.startsWith('after-'));
        },
        { timeoutMs: REASSERT_EVERY_MS * 3, intervalMs: 200 },
      );
      expect(Date.now() - droppedAt).toBeLessThan(REASSERT_EVERY_MS * 2);
      expect(heard).not.toContain('lost');
    } finally {
      await subscriber.close();
      await store.close();
    }
  }, 30_000);
});
