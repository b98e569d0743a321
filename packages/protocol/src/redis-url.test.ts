import { describe, expect, it } from 'vitest';
import { parseRedisUrl, RedisUrlError } from './redis-url.js';

function problem(value: string): string {
  try {
    parseRedisUrl(value, 'REDIS_URL');
  } catch (error) {
    expect(error).toBeInstanceOf(RedisUrlError);
    expect(error).toMatchObject({ code: 'ERR_REDIS_URL' });
    return (error as Error).message;
  }
  throw new Error(`accepted ${value}`);
}

describe('parseRedisUrl', () => {
  it('passes a single-server URL through as written', () => {
    expect(parseRedisUrl('redis://:pw@127.0.0.1:6380/2')).toEqual({
      kind: 'standalone',
      url: 'redis://:pw@127.0.0.1:6380/2',
      tls: false,
    });
    expect(parseRedisUrl('rediss://127.0.0.1')).toMatchObject({ kind: 'standalone', tls: true });
  });

  it('reads sentinels, the master name and the data nodes credentials', () => {
    expect(
      parseRedisUrl('redis+sentinel://app:p%40ss@127.0.0.1:26380,[::1],localhost:26381/main'),
    ).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: '127.0.0.1', port: 26380 },
        { host: '::1', port: 26379 },
        { host: 'localhost', port: 26381 },
      ],
      masterName: 'main',
      tls: false,
      username: 'app',
      password: 'p@ss',
    });
  });

  it('reads cluster seeds, with TLS under rediss+cluster', () => {
    expect(parseRedisUrl('rediss+cluster://:secret@127.0.0.1:7000,127.0.0.1')).toEqual({
      kind: 'cluster',
      seeds: [
        { host: '127.0.0.1', port: 7000 },
        { host: '127.0.0.1', port: 6379 },
      ],
      tls: true,
      password: 'secret',
    });
  });

  it('names the variable and never repeats the value', () => {
    const message = problem('redis+cluster://:hunter2@127.0.0.1:99999');
    expect(message).toMatch(/^REDIS_URL: /);
    expect(message).not.toContain('hunter2');
  });

  it.each([
    ['mixed schemes', 'redis+sentinel://127.0.0.1:26379,redis://127.0.0.1:6379/m', /mixes/],
    ['two URLs', 'redis+cluster://127.0.0.1:7000,redis+cluster://127.0.0.1:7001', /mixes/],
    ['no seeds', 'redis+cluster://', /no seed/],
    ['only commas', 'redis+sentinel://,,/m', /no sentinel/],
    ['a bad port', 'redis+cluster://127.0.0.1:70000', /port/],
    ['a port that is not a number', 'redis+sentinel://127.0.0.1:abc/m', /port/],
    ['no master name', 'redis+sentinel://127.0.0.1:26379', /names no master/],
    ['an empty master name', 'redis+sentinel://127.0.0.1:26379/', /names no master/],
    ['a path on a cluster', 'redis+cluster://127.0.0.1:7000/0', /no path/],
    ['a query string', 'redis+cluster://127.0.0.1:7000?tls=1', /query/],
    ['an unknown scheme', 'redis+shard://127.0.0.1', /unsupported/],
    ['no scheme', '127.0.0.1:6379', /no scheme/],
    ['a broken single URL', 'redis://[::1', /not a valid URL/],
  ])('refuses %s', (_, value, expected) => {
    expect(problem(value)).toMatch(expected);
  });
});
