import { REDIS_URL_FORMS } from '@latchkey/protocol';
import { createMemoryStore, type MemoryStoreOptions } from './memory-store.js';
import { createRedisStore, type RedisStoreOptions } from './redis-store.js';
import type { Store } from './store.js';

export type CreateStoreOptions = RedisStoreOptions & MemoryStoreOptions;

/**
 * Picks the adapter from the URL scheme: `memory://` (one process, for development and
 * tests), `redis://` or `rediss://` (TLS), and the Sentinel and Cluster forms of
 * `@latchkey/protocol`'s parseRedisUrl. Anything else is a configuration mistake and
 * throws at start-up rather than at the first request.
 */
export function createStore(url: string, options: CreateStoreOptions = {}): Store {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  switch (scheme) {
    case 'memory':
      return createMemoryStore(options);
    case 'redis':
    case 'rediss':
    case 'redis+sentinel':
    case 'rediss+sentinel':
    case 'redis+cluster':
    case 'rediss+cluster':
      return createRedisStore(url, options);
    default:
      // Only the scheme is echoed: the rest of a store URL may hold a password.
      throw new TypeError(
        scheme === undefined
          ? `Store URL has no scheme; expected memory:// or ${REDIS_URL_FORMS}`
          : `Unsupported store URL scheme "${scheme}:"; expected memory:// or ${REDIS_URL_FORMS}`,
      );
  }
}
