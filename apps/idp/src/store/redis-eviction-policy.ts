import { Redis } from 'ioredis';

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
export async function checkEvictionPolicy(url: string): Promise<EvictionCheck> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
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
