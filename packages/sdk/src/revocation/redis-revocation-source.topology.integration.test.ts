import {
  encodeRevocationMember,
  encodeRevocationNotice,
  revocationKeys,
  type Revocation,
} from '@latchkey/protocol';
import {
  redisCliAt,
  startTestRedisCluster,
  startTestRedisSentinel,
  waitFor,
  type TestRedisCluster,
  type TestRedisNode,
  type TestRedisSentinel,
} from '@latchkey/testing';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outcome, PUBLISH_SCRIPT, writeRevocation } from '../test-support/revocations.js';
import {
  createRedisRevocationSource,
  type RedisRevocationSource,
} from './redis-revocation-source.js';

/**
 * The source on a Redis Cluster and under Sentinel: where it listens, and what it does when
 * that node dies. (The
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
  let writer: Cluster;
  beforeAll(async () => {
    cluster = await startTestRedisCluster({ masters: 3, replicasPerMaster: 1 });
    writer = new Cluster(
      cluster.nodes.map((node) => ({ host: '127.0.0.1', port: node.port })),
      { scaleReads: 'master' },
    );
    writer.on('error', () => {});
  }, 60_000);
  afterAll(async () => {
    writer?.disconnect();
    await cluster?.close();
  });

  /** A source, loaded, given the master of the notices' slot as its last seed, not its first. */
  async function sourceSeededAwayFrom(master: TestRedisNode): Promise<RedisRevocationSource> {
    const seeds = [...cluster.nodes.filter((node) => node !== master), master];
    const source = createRedisRevocationSource({
      url: `redis+cluster://${seeds.map((node) => `127.0.0.1:${node.port}`).join(',')}`,
      maxStalenessMs: 2_000,
    });
    await source.ready({ signal: AbortSignal.timeout(15_000) });
    return source;
  }

  /** Whether a connection the source opened to subscribe is on `node`. */
  async function subscribesOn(node: TestRedisNode): Promise<boolean> {
    const clients = await redisCliAt(node.port, 'CLIENT', 'LIST');
    return / name=latchkey-revocation-subscriber .*sub=1 /.test(clients);
  }

  /**
   * Publishes a revocation as the IdP does on a cluster (a script keyed by the channel, so on
   * the master serving its slot), right after cutting every cluster bus link of that master:
   * the notice reaches only the master's own subscribers.
   */
  async function publishCutOff(master: TestRedisNode, revocation: Revocation): Promise<void> {
    await writer.zadd(revocationKeys.set, revocation.expiresAt, encodeRevocationMember(revocation));
    const direct = new Redis({ host: '127.0.0.1', port: master.port, lazyConnect: true });
    try {
      await direct.connect();
      // The other nodes the cluster holds healthy (not a node it has marked failed).
      const others = String(await direct.cluster('NODES'))
        .split('\n')
        .map((line) => line.split(' '))
        .filter(([id, , flags = '']) => id && !/myself|fail|handshake|noaddr/.test(flags))
        .map(([id]) => id!);
      // Every link to them up first: this Redis crashes when a link it is still
      // re-establishing is cut (seen on 7.0). Each pair of nodes has two, one each way.
      await waitFor(
        'every cluster bus link of the master',
        async () => {
          const links = (await direct.call('CLUSTER', 'LINKS')) as string[][];
          const peers = links.map((fields) => fields[fields.indexOf('node') + 1]);
          return peers.filter((peer) => others.includes(peer!)).length === 2 * others.length;
        },
        { timeoutMs: 10_000, intervalMs: 50 },
      );
      // One pipeline: nothing reaches the node between the cut and the PUBLISH, and its cron
      // re-establishes links only every 100 ms.
      const pipeline = direct.pipeline();
      for (const id of others) pipeline.call('DEBUG', 'CLUSTERLINK', 'KILL', 'all', id);
      pipeline.eval(
        PUBLISH_SCRIPT,
        1,
        revocationKeys.channel,
        encodeRevocationNotice(revocation, Date.now()),
      );
      const replies = (await pipeline.exec()) ?? [];
      for (const [error] of replies) expect(error).toBeNull();
    } finally {
      direct.disconnect();
    }
  }

  async function expectHeardWhenCutOff(
    source: RedisRevocationSource,
    master: TestRedisNode,
    sid: string,
  ): Promise<void> {
    await publishCutOff(master, session(sid));
    await waitFor(
      'the notice from the cut-off master',
      () => outcome(() => source.check(token(sid))) === 'ERR_TOKEN_REVOKED',
      { timeoutMs: 1_000, intervalMs: 10 },
    );
  }

  it('subscribes on the master the notices are published through, so a notice the cluster bus drops still arrives', async () => {
    const master = await cluster.masterFor(revocationKeys.channel);
    const source = await sourceSeededAwayFrom(master);
    try {
      expect(await subscribesOn(master)).toBe(true);
      for (let round = 0; round < 3; round += 1) {
        await expectHeardWhenCutOff(source, master, `sid-cut-${round}`);
      }
      expect(source.status).toMatchObject({ state: 'synced', stale: false });
    } finally {
      await source.close();
      await cluster.waitUntilHealthy();
    }
  });

  it('follows the notices to the master that replaces a killed one, failing closed meanwhile', async () => {
    const master = await cluster.masterFor(revocationKeys.channel);
    const source = await sourceSeededAwayFrom(master);
    try {
      await writeRevocation(writer, session('sid-before'));
      await waitFor(
        'the notice',
        () => outcome(() => source.check(token('sid-before'))) !== 'valid',
      );

      await master.kill();
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

      const successor = await cluster.masterFor(revocationKeys.channel);
      expect(successor).not.toBe(master);
      await waitFor('the subscriber on the new master', () => subscribesOn(successor), {
        timeoutMs: 10_000,
        intervalMs: 100,
      });
      await expectHeardWhenCutOff(source, successor, 'sid-cut');
    } finally {
      await source.close();
      await master.start();
      await cluster.waitUntilHealthy();
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
