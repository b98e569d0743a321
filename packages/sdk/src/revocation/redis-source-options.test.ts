import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_STALENESS_MS,
  resolveRedisSourceOptions,
  type RedisRevocationSourceOptions,
} from './redis-source-options.js';

const url = 'redis://127.0.0.1:1';

describe('redis revocation source options', () => {
  it('defaults to 30 s staleness, failing closed', () => {
    const resolved = resolveRedisSourceOptions({ url });
    expect(resolved.maxStalenessMs).toBe(DEFAULT_MAX_STALENESS_MS);
    expect(resolved.failOpen).toBe(false);
  });

  it.each<[string, Record<string, unknown>]>([
    ['neither url nor redis', {}],
    ['both url and redis', { url, redis: new Redis({ lazyConnect: true }) }],
    ['an http url', { url: 'http://127.0.0.1:6379' }],
    ['a url that is no URL', { url: '127.0.0.1:6379' }],
    ['redis that is no client', { redis: { host: '127.0.0.1' } }],
    ['zero maxStalenessMs', { url, maxStalenessMs: 0 }],
    ['negative maxStalenessMs', { url, maxStalenessMs: -1 }],
    ['NaN maxStalenessMs', { url, maxStalenessMs: Number.NaN }],
    ['infinite maxStalenessMs', { url, maxStalenessMs: Infinity }],
    ['maxStalenessMs as a string', { url, maxStalenessMs: '30000' }],
    ['failOpen not a boolean', { url, failOpen: 'yes' }],
    ['now not a function', { url, now: 5 }],
    ['logger without warn', { url, logger: { info() {} } }],
    ['mixed schemes', { url: 'redis+sentinel://127.0.0.1:1,redis://127.0.0.1:2/m' }],
    ['a cluster url without seeds', { url: 'redis+cluster://' }],
    ['a sentinel url without a master name', { url: 'redis+sentinel://127.0.0.1:26379' }],
    ['a bad port', { url: 'redis+cluster://127.0.0.1:0' }],
    ['sentinelPassword without sentinels', { url, sentinelPassword: 'x' }],
  ])('rejects %s with a TypeError', (_name, options) => {
    expect(() => resolveRedisSourceOptions(options as RedisRevocationSourceOptions)).toThrow(
      TypeError,
    );
  });

  it('accepts the IdP REDIS_URL forms: Sentinel and Cluster', () => {
    const sentinel = resolveRedisSourceOptions({
      url: 'redis+sentinel://:pw@127.0.0.1:26379,127.0.0.1:26380/latchkey',
      sentinelPassword: 'sentinel-pw',
    }).open().commands as Redis;
    expect(sentinel.options).toMatchObject({
      name: 'latchkey',
      password: 'pw',
      sentinelPassword: 'sentinel-pw',
      sentinels: [
        { host: '127.0.0.1', port: 26379 },
        { host: '127.0.0.1', port: 26380 },
      ],
      enableOfflineQueue: false,
    });
    const cluster = resolveRedisSourceOptions({
      url: 'redis+cluster://127.0.0.1:7000,127.0.0.1:7001',
    }).open();
    expect(cluster.commands).toBeInstanceOf(Cluster);
    // The subscriber is one plain connection, placed on a node of the source's choosing.
    expect(cluster.subscriber).toBeInstanceOf(Redis);
    expect(cluster.subscriber.options).toMatchObject({
      host: '127.0.0.1',
      port: 7000,
      autoResubscribe: false,
    });
    expect(cluster.placement?.target).toBe('127.0.0.1:7000');
  });

  it('names the option and never repeats a password in its errors', () => {
    expect(() =>
      resolveRedisSourceOptions({ url: 'redis+cluster://:hunter2@127.0.0.1:99999' }),
    ).toThrow(/^url: (?!.*hunter2)/);
  });

  it('duplicates a given client with its own settings and leaves the client alone', () => {
    const redis = new Redis({ lazyConnect: true, keyPrefix: 'app:', commandTimeout: 50 });
    const { subscriber, commands, placement } = resolveRedisSourceOptions({ redis }).open();
    expect(placement).toBeUndefined();
    expect(subscriber.options).toMatchObject({
      keyPrefix: '',
      autoResubscribe: false,
      commandTimeout: undefined,
      enableOfflineQueue: false,
    });
    expect(commands.options).toMatchObject({
      keyPrefix: '',
      commandTimeout: undefined,
      enableOfflineQueue: false,
    });
    expect(redis.status).toBe('wait');
    expect(redis.options.keyPrefix).toBe('app:');
  });
});
