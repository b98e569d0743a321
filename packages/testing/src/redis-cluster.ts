import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisCli, redisCliAt } from './redis-cli.js';
import { redisNode, type TestRedisNode } from './redis-node.js';
import { freePort, waitFor } from './wait.js';

/** A Redis Cluster of private redis-server processes on loopback ports. */
export interface TestRedisCluster {
  /** `redis+cluster://127.0.0.1:p1,127.0.0.1:p2,…`, every node a seed. */
  readonly url: string;
  /** Masters first, then replicas, as created (roles change with failovers). */
  readonly nodes: readonly TestRedisNode[];
  /** The node that currently serves `key`'s hash slot, as the running nodes see it. */
  masterFor(key: string): Promise<TestRedisNode>;
  /** Resolves once every running node reports cluster_state:ok. */
  waitUntilHealthy(timeoutMs?: number): Promise<void>;
  /** Kills every node and removes their folders. Idempotent. */
  close(): Promise<void>;
}

export interface TestRedisClusterOptions {
  /** At least 3: Redis Cluster needs a majority of masters to agree on a failover. Default 3. */
  masters?: number;
  /** Default 1. */
  replicasPerMaster?: number;
  /**
   * How long a node may be unreachable before the others call it failed (cluster-node-timeout).
   * Short, so that fault tests see a failover within seconds. Default 1000.
   */
  nodeTimeoutMs?: number;
}

export async function startTestRedisCluster(
  options: TestRedisClusterOptions = {},
): Promise<TestRedisCluster> {
  const masters = options.masters ?? 3;
  const replicasPerMaster = options.replicasPerMaster ?? 1;
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 1000;
  if (masters < 3) throw new TypeError('a Redis Cluster needs at least 3 masters');
  const count = masters * (1 + replicasPerMaster);
  const folders: string[] = [];
  const nodes: Array<ReturnType<typeof redisNode>> = [];
  const close = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.close()));
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < count; i += 1) {
      const port = await freePort();
      const dir = mkdtempSync(join(tmpdir(), 'latchkey-cluster-'));
      folders.push(dir);
      const args = [
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        'nodes.conf',
        '--cluster-node-timeout',
        String(nodeTimeoutMs),
        // A replica that lost its master for a while may still take over (tests kill freely).
        '--cluster-replica-validity-factor',
        '0',
        '--dir',
        dir,
        '--appendonly',
        'no',
        // DEBUG CLUSTERLINK lets a test cut the cluster bus between two nodes; from loopback only.
        '--enable-debug-command',
        'local',
      ];
      const node = redisNode(port, i < masters ? 'master' : 'replica', () => args);
      nodes.push(node);
      await node.start();
    }
    // redis-cli gives the first `masters` addresses the slots and the rest as their replicas.
    await redisCli(
      [
        '--cluster',
        'create',
        ...nodes.map((node) => `127.0.0.1:${node.port}`),
        '--cluster-replicas',
        String(replicasPerMaster),
        '--cluster-yes',
      ],
      60_000,
    );
    const cluster: TestRedisCluster = {
      url: `redis+cluster://${nodes.map((node) => `127.0.0.1:${node.port}`).join(',')}`,
      nodes,
      async masterFor(key) {
        const live = nodes.filter((node) => node.running);
        for (const asked of live) {
          try {
            const slot = Number((await redisCliAt(asked.port, 'CLUSTER', 'KEYSLOT', key)).trim());
            const port = slotOwner(await redisCliAt(asked.port, 'CLUSTER', 'NODES'), slot);
            const owner = nodes.find((node) => node.port === port);
            if (owner) return owner;
          } catch {
            // A paused or dying node: ask the next one.
          }
        }
        throw new Error(`no running node knows the master of ${key}`);
      },
      async waitUntilHealthy(timeoutMs = 30_000) {
        await waitFor(
          'cluster_state:ok on every running node',
          async () => {
            const states = await Promise.all(
              nodes
                .filter((node) => node.running)
                .map((node) => redisCliAt(node.port, 'CLUSTER', 'INFO')),
            );
            return states.every((info) => info.includes('cluster_state:ok'));
          },
          { timeoutMs, intervalMs: 200 },
        );
      },
      close,
    };
    await cluster.waitUntilHealthy();
    return cluster;
  } catch (error) {
    await close();
    throw error;
  }
}

/** The port of the master that `CLUSTER NODES` says serves `slot`. */
function slotOwner(clusterNodes: string, slot: number): number | undefined {
  for (const line of clusterNodes.split('\n')) {
    const fields = line.trim().split(' ');
    const flags = (fields[2] ?? '').split(',');
    if (fields.length < 9 || !flags.includes('master') || flags.includes('fail')) {
      continue;
    }
    for (const range of fields.slice(8)) {
      if (range.startsWith('[')) continue; // a slot being migrated
      const [from, to] = range.split('-').map(Number);
      if (slot >= from! && slot <= (to ?? from!)) {
        return Number(/:(\d+)@/.exec(fields[1]!)?.[1]);
      }
    }
  }
  return undefined;
}
