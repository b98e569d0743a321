import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisCliAt } from './redis-cli.js';
import { redisNode, type TestRedisNode } from './redis-node.js';
import { freePort, waitFor } from './wait.js';

export const TEST_SENTINEL_MASTER_NAME = 'latchkey';

/** A master, its replicas and the sentinels watching them, on loopback ports. */
export interface TestRedisSentinel {
  /** `redis+sentinel://127.0.0.1:s1,…/latchkey`. */
  readonly url: string;
  readonly masterName: string;
  /** Master first, then the replicas, as started (roles change with failovers). */
  readonly dataNodes: readonly TestRedisNode[];
  readonly sentinels: readonly TestRedisNode[];
  /** The data node the sentinels currently name as master. */
  currentMaster(): Promise<TestRedisNode>;
  /** Resolves once a sentinel names a master other than `previous` (a failover happened). */
  waitForFailover(previous: TestRedisNode, timeoutMs?: number): Promise<TestRedisNode>;
  /** Kills every process and removes their folders. Idempotent. */
  close(): Promise<void>;
}

export interface TestRedisSentinelOptions {
  /** Default 2. */
  replicas?: number;
  /** Default 3 (quorum 2). */
  sentinels?: number;
  /** How long a master may not answer before a sentinel calls it down. Default 1000. */
  downAfterMs?: number;
}

export async function startTestRedisSentinel(
  options: TestRedisSentinelOptions = {},
): Promise<TestRedisSentinel> {
  const replicaCount = options.replicas ?? 2;
  const sentinelCount = options.sentinels ?? 3;
  const downAfterMs = options.downAfterMs ?? 1000;
  const quorum = Math.floor(sentinelCount / 2) + 1;
  const name = TEST_SENTINEL_MASTER_NAME;
  const folders: string[] = [];
  const all: Array<ReturnType<typeof redisNode>> = [];
  const close = async (): Promise<void> => {
    await Promise.all(all.map((node) => node.close()));
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  };
  const folder = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-sentinel-'));
    folders.push(dir);
    return dir;
  };

  try {
    const dataNodes: Array<ReturnType<typeof redisNode>> = [];
    const sentinels: Array<ReturnType<typeof redisNode>> = [];
    const masterPort = await freePort();

    const askSentinels = async (): Promise<number | undefined> => {
      for (const sentinel of sentinels.filter((node) => node.running)) {
        try {
          const reply = await redisCliAt(
            sentinel.port,
            'SENTINEL',
            'GET-MASTER-ADDR-BY-NAME',
            name,
          );
          const port = Number(reply.trim().split('\n')[1]);
          if (Number.isInteger(port) && port > 0) return port;
        } catch {
          // Paused or down: ask the next one.
        }
      }
      return undefined;
    };

    for (let i = 0; i <= replicaCount; i += 1) {
      const port = i === 0 ? masterPort : await freePort();
      const dir = folder();
      const node = redisNode(port, i === 0 ? 'master' : 'replica', async () => {
        // A restarted node rejoins as a replica of whoever is master now, as an operator
        // would restart it; at first start the sentinels do not exist yet.
        const master = sentinels.length > 0 ? await askSentinels() : undefined;
        const of = master ?? (i === 0 ? undefined : masterPort);
        return [
          '--dir',
          dir,
          '--appendonly',
          'no',
          ...(of !== undefined && of !== port ? ['--replicaof', '127.0.0.1', String(of)] : []),
        ];
      });
      dataNodes.push(node);
      all.push(node);
      await node.start();
    }

    for (let i = 0; i < sentinelCount; i += 1) {
      const port = await freePort();
      const dir = folder();
      const configFile = join(dir, 'sentinel.conf');
      // Written once: sentinels rewrite their file with what they learn, and a restarted
      // sentinel should come back knowing it.
      writeFileSync(
        configFile,
        [
          `sentinel monitor ${name} 127.0.0.1 ${masterPort} ${quorum}`,
          `sentinel down-after-milliseconds ${name} ${downAfterMs}`,
          `sentinel failover-timeout ${name} 5000`,
          `sentinel parallel-syncs ${name} 1`,
          '',
        ].join('\n'),
      );
      const node = redisNode(port, 'sentinel', () => ['--sentinel', '--dir', dir], {
        configFile,
        readyLine: '+monitor master',
      });
      sentinels.push(node);
      all.push(node);
      await node.start();
    }

    await waitFor(
      'every sentinel to see the replicas and the other sentinels',
      async () => {
        for (const sentinel of sentinels) {
          const fields = (await redisCliAt(sentinel.port, 'SENTINEL', 'MASTER', name)).split('\n');
          const value = (key: string): number => Number(fields[fields.indexOf(key) + 1]);
          if (value('num-slaves') < replicaCount) return false;
          if (value('num-other-sentinels') < sentinelCount - 1) return false;
        }
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );

    const currentMaster = async (): Promise<TestRedisNode> => {
      const port = await askSentinels();
      const node = dataNodes.find((candidate) => candidate.port === port);
      if (!node) throw new Error('no sentinel names a known master');
      return node;
    };

    return {
      url: `redis+sentinel://${sentinels.map((node) => `127.0.0.1:${node.port}`).join(',')}/${name}`,
      masterName: name,
      dataNodes,
      sentinels,
      currentMaster,
      async waitForFailover(previous, timeoutMs = 30_000) {
        let promoted: TestRedisNode | undefined;
        await waitFor(
          'the sentinels to promote a replica',
          async () => {
            const master = await currentMaster();
            if (master === previous) return false;
            const role = await redisCliAt(master.port, 'ROLE');
            promoted = master;
            return role.startsWith('master');
          },
          { timeoutMs, intervalMs: 200 },
        );
        return promoted!;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
