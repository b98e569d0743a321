import type { Revocation } from '@latchkey/protocol';
import {
  startTestRedisCluster,
  startTestRedisSentinel,
  waitFor,
  type TestRedisCluster,
  type TestRedisNode,
  type TestRedisSentinel,
} from '@latchkey/testing';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outcome, writeRevocation } from '../test-support/revocations.js';
import { createRedisRevocationSource } from './redis-revocation-source.js';

/**
 * The source on a Redis Cluster and under Sentinel, when the node it listens on dies. (The
 * IdP's apps/idp/src/store/redis-topology-revocation.integration.test.ts kills the master that
 * holds the set, with the IdP's own revoker as the writer.)
 */

const token = (sid: string) => ({ sub: 'user-1', sid, iat: Math.floor(Date.now() / 1000) });
const session = (sid: string): Revocation => ({
  kind: 'session',
  sid,
  expiresAt: Date.now() + 60_000,
});

/** Retries a write refused while the topology fails over, a bounded number of times. */
async function writeThrough(writer: Redis | Cluster, revocation: Revocation): Promise<void> {
  await waitFor(
    'the write to be accepted',
    () => writeRevocation(writer, revocation).then(() => true),
    { timeoutMs: 30_000, intervalMs: 100 },
  );
}

describe('Redis revocation source on a cluster', { timeout: 90_000 }, () => {
  let cluster: TestRedisCluster;
  beforeAll(async () => {
    cluster = await startTestRedisCluster({ masters: 3, replicasPerMaster: 1 });
  }, 60_000);
  afterAll(() => cluster?.close());

  it('moves its subscription to the next seed when its node dies, failing closed meanwhile', async () => {
    const seeds = cluster.nodes.map((node) => ({ host: '127.0.0.1', port: node.port }));
    const writer = new Cluster(seeds, { scaleReads: 'master' });
    writer.on('error', () => {});
    // The source listens on its first seed: a replica here, which hears every notice (the
    // cluster bus carries PUBLISH to every node) and whose death loses only the subscription.
    const listenedOn: TestRedisNode = cluster.nodes.find((node) => node.initialRole === 'replica')!;
    const others = cluster.nodes.filter((node) => node !== listenedOn);
    const url = `redis+cluster://${[listenedOn, ...others].map((node) => `127.0.0.1:${node.port}`).join(',')}`;
    const source = createRedisRevocationSource({ url, maxStalenessMs: 2_000 });
    try {
      await source.ready({ signal: AbortSignal.timeout(15_000) });
      await writeRevocation(writer, session('sid-before'));
      await waitFor(
        'the notice',
        () => outcome(() => source.check(token('sid-before'))) !== 'valid',
      );

      const victim = listenedOn;
      await victim.kill();
      await waitFor('the source to say it is unsure', () => {
        return outcome(() => source.check(token('sid-other'))) === 'ERR_REVOCATION_STALE';
      });
      await writeThrough(writer, session('sid-after'));
      await waitFor(
        'the later notice, or the reload that includes it',
        () => outcome(() => source.check(token('sid-after'))) === 'ERR_TOKEN_REVOKED',
        { timeoutMs: 30_000, intervalMs: 100 },
      );
      expect(outcome(() => source.check(token('sid-before')))).toBe('ERR_TOKEN_REVOKED');
      expect(outcome(() => source.check(token('sid-other')))).toBe('valid');
      await victim.start();
      await cluster.waitUntilHealthy();
    } finally {
      await source.close();
      writer.disconnect();
    }
  });
});

describe('Redis revocation source under Sentinel', { timeout: 90_000 }, () => {
  let topology: TestRedisSentinel;
  beforeAll(async () => {
    topology = await startTestRedisSentinel({ replicas: 2, sentinels: 3 });
  }, 60_000);
  afterAll(() => topology?.close());

  it('follows the master the sentinels promote, and reloads the whole set there', async () => {
    const sentinels = topology.sentinels.map((node) => ({ host: '127.0.0.1', port: node.port }));
    const writer = new Redis({ sentinels, name: topology.masterName, retryStrategy: () => 100 });
    writer.on('error', () => {});
    const source = createRedisRevocationSource({ url: topology.url, maxStalenessMs: 2_000 });
    try {
      await source.ready({ signal: AbortSignal.timeout(15_000) });
      await writeRevocation(writer, session('sid-before'));
      await waitFor(
        'the notice',
        () => outcome(() => source.check(token('sid-before'))) !== 'valid',
      );
      // Replicated before the kill: WAIT makes this write's fate independent of the timing.
      expect(await writer.wait(2, 5_000)).toBe(2);

      const master = await topology.currentMaster();
      await master.kill();
      await waitFor('the source to say it is unsure', () => {
        return outcome(() => source.check(token('sid-other'))) === 'ERR_REVOCATION_STALE';
      });
      await topology.waitForFailover(master);
      await writeThrough(writer, session('sid-after'));
      await waitFor(
        'the later notice, or the reload that includes it',
        () => outcome(() => source.check(token('sid-after'))) === 'ERR_TOKEN_REVOKED',
        { timeoutMs: 30_000, intervalMs: 100 },
      );
      expect(outcome(() => source.check(token('sid-before')))).toBe('ERR_TOKEN_REVOKED');
      expect(source.status).toMatchObject({ state: 'synced', stale: false });
    } finally {
      await source.close();
      writer.disconnect();
    }
  });
});
