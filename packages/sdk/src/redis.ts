/**
 * @latchkey/sdk/redis: the revoked set from the IdP's Redis, for `createVerifier`'s
 * `revocation` option. Needs the optional peer dependency `ioredis` (6.x).
 */
export {
  createRedisRevocationSource,
  type RedisRevocationSource,
  type RevocationSourceStatus,
} from './revocation/redis-revocation-source.js';
export {
  DEFAULT_MAX_STALENESS_MS,
  type RedisRevocationSourceOptions,
  type RevocationLogger,
} from './revocation/redis-source-options.js';
export {
  createRedisReplayCache,
  DEFAULT_REPLAY_PREFIX,
  type RedisReplayCache,
  type RedisReplayCacheOptions,
} from './logout/redis-replay-cache.js';
