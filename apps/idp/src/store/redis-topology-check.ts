import { parseRedisUrl, type RedisAddress } from '@latchkey/protocol';
import { messageOf } from '../logger.js';
import { Redis, type RedisOptions } from 'ioredis';
import { withTimeout } from './redis-connection.js';

export interface TopologyCheckOptions {
  /** How long each seed or sentinel may take to answer. */
  connectTimeoutMs: number;
  sentinelPassword?: string;
}

/**
 * Start-up check of a Sentinel or Cluster REDIS_URL, for the mistakes that would otherwise
 * show only as every request answering 503: a master name the sentinels do not monitor,
 * seeds none of which answers, a "cluster" that is a plain Redis or a single node (neither
 * size nor failover). Resolves to the problem, naming REDIS_URL, or null. A single-server
 * URL is not checked here: it connects in the background as it always has.
 *
 * A reachable topology whose master is down right now passes: that is an outage, which the
 * store reports as 503 and recovers from, not a configuration mistake.
 */
export async function checkRedisTopology(
  url: string,
  options: TopologyCheckOptions,
): Promise<string | null> {
  const target = parseRedisUrl(url, 'REDIS_URL');
  if (target.kind === 'standalone') return null;
  const tls = target.tls ? { tls: {} } : {};

  if (target.kind === 'sentinel') {
    let answered = 0;
    let lastError = '';
    for (const sentinel of target.sentinels) {
      try {
        const reply = await ask(
          sentinel,
          { password: options.sentinelPassword, ...tls },
          options.connectTimeoutMs,
          ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', target.masterName],
        );
        answered += 1;
        if (Array.isArray(reply) && reply.length === 2) return null;
      } catch (error) {
        lastError = messageOf(error);
      }
    }
    if (answered > 0) {
      return `REDIS_URL: no sentinel monitors a master named "${target.masterName}" (${answered} of ${target.sentinels.length} answered); check the name after the last /`;
    }
    return `REDIS_URL: none of the ${target.sentinels.length} sentinels answered within ${options.connectTimeoutMs} ms (${lastError})`;
  }

  let lastError = '';
  for (const seed of target.seeds) {
    let info: unknown;
    try {
      info = await ask(
        seed,
        { username: target.username, password: target.password, ...tls },
        options.connectTimeoutMs,
        ['CLUSTER', 'INFO'],
      );
    } catch (error) {
      lastError = messageOf(error);
      if (/cluster support disabled/i.test(lastError)) {
        return `REDIS_URL: ${seed.host}:${seed.port} is a Redis without cluster mode; use redis://… for a single server`;
      }
      continue;
    }
    const known = /cluster_known_nodes:(\d+)/.exec(String(info))?.[1];
    if (known === '1') {
      return 'REDIS_URL: the cluster has a single node, which gives neither size nor failover; use redis://… for a single server, or add nodes';
    }
    return null;
  }
  return `REDIS_URL: none of the ${target.seeds.length} cluster seeds answered within ${options.connectTimeoutMs} ms (${lastError})`;
}

/** One command on a short-lived connection of its own, which is closed before returning. */
async function ask(
  address: RedisAddress,
  auth: RedisOptions,
  timeoutMs: number,
  [command, ...args]: string[],
): Promise<unknown> {
  const client = new Redis({
    ...address,
    ...auth,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    disconnectTimeout: 200,
  });
  client.on('error', () => undefined);
  try {
    await withTimeout(client.connect(), timeoutMs, () => new Error('no answer'));
    return await client.call(command!, ...args);
  } finally {
    client.disconnect();
  }
}
