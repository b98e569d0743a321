import type { Redis } from 'ioredis';
import { VerificationUnavailableError } from '../errors.js';
import type { ReplayCache } from './replay-cache.js';

export interface RedisReplayCacheOptions {
  /**
   * An ioredis client to run `SET … NX PX` on. The cache uses it as it is (it is not closed
   * by the cache); its `keyPrefix`, if any, applies before `prefix`.
   */
  redis: Redis;
  /** Prepended to every key. Default `latchkey:rp:logout-jti:`. */
  prefix?: string;
  /** Clock in epoch ms, to turn an expiry into a time to live. Default `Date.now`. */
  now?: () => number;
}

/** Answers from Redis, so always asynchronously. */
export interface RedisReplayCache extends ReplayCache {
  remember: (key: string, expiresAtMs: number) => Promise<boolean>;
}

export const DEFAULT_REPLAY_PREFIX = 'latchkey:rp:logout-jti:';

/**
 * A replay cache shared by every instance on one Redis: `SET key 1 NX PX ttl` records a key
 * and says whether it was new in one atomic step, and Redis forgets it when it expires. The
 * keys are hashes of issuer and `jti` (the verifier's), so no token content is stored.
 */
export function createRedisReplayCache(options: RedisReplayCacheOptions): RedisReplayCache {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('replay cache options must be an object');
  }
  const { redis } = options;
  if (typeof (redis as Partial<Redis> | null)?.set !== 'function') {
    throw new TypeError('redis must be an ioredis client');
  }
  const prefix = options.prefix ?? DEFAULT_REPLAY_PREFIX;
  if (typeof prefix !== 'string') throw new TypeError('prefix must be a string');
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw new TypeError('now must be a function');

  return {
    async remember(key, expiresAtMs) {
      // At least a second: a record that expires at once would let the replay straight in.
      const ttlMs = Math.max(1_000, Math.ceil(expiresAtMs - now()));
      let reply: string | null;
      try {
        reply = await redis.set(`${prefix}${key}`, '1', 'PX', ttlMs, 'NX');
      } catch (cause) {
        throw new VerificationUnavailableError('the replay cache could not be reached', {
          cause,
        });
      }
      return reply === 'OK';
    },
  };
}
