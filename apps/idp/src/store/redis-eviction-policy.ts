import { Redis } from 'ioredis';
import { createRedisClient, type RedisClient } from './redis-client.js';
import { withTimeout } from './redis-connection.js';

/** What the IdP learned of a Redis's `maxmemory-policy`. */
export type EvictionCheck =
  | { readonly kind: 'safe'; readonly policy: string }
  | { readonly kind: 'evicting'; readonly policy: string }
  /** CONFIG refused (managed services rename or forbid it), or Redis did not answer. */
  | { readonly kind: 'unknown'; readonly reason: string };

/**
 * `allkeys-*` and `volatile-*` policies drop keys under memory pressure: sessions (dropped:
 * a user signed out at random) and, worse, revocations (dropped: a revoked token accepted
 * again), with no error anywhere. Only `noeviction` fails loudly instead (OOM on writes).
 */
export function isEvictingPolicy(policy: string): boolean {
  return policy !== 'noeviction' && /^(allkeys|volatile)-/.test(policy);
}

/** Reads `CONFIG GET maxmemory-policy` on a connection of its own, closed before returning. */
export async function checkEvictionPolicy(
  url: string,
  sentinelPassword?: string,
): Promise<EvictionCheck> {
  // On a cluster this reads one node's policy: they are configured alike in practice.
  const client: RedisClient = /^rediss?:/i.test(url)
    ? new Redis(url, {
        lazyConnect: true,
        connectTimeout: 2_000,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
        retryStrategy: () => null,
      })
    : createRedisClient(url, {
        commandTimeoutMs: 2_000,
        connectTimeoutMs: 2_000,
        connectionName: 'latchkey-idp-check',
        sentinelPassword,
        lazyConnect: true,
      });
  client.on('error', () => undefined);
  try {
    await withTimeout(client.connect(), 4_000, () => new Error('no answer'));
    const reply: unknown[] = await client.config('GET', 'maxmemory-policy');
    const policy = reply[1];
    if (typeof policy !== 'string') return { kind: 'unknown', reason: 'CONFIG GET gave no policy' };
    return { kind: isEvictingPolicy(policy) ? 'evicting' : 'safe', policy };
  } catch (error) {
    return { kind: 'unknown', reason: error instanceof Error ? error.message : String(error) };
  } finally {
    client.disconnect();
  }
}
