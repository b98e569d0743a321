import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, readReplication } from './config.js';
import { parseDuration } from './duration.js';

const KEK = Buffer.alloc(32, 7).toString('base64url');

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['15m', 900_000],
    ['12h', 43_200_000],
    ['7d', 604_800_000],
    ['250ms', 250],
  ])('reads %s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '15', '1.5h', '-1m', '10 minutes', 'h', '1e3s'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});

describe('loadConfig', () => {
  it('starts in dev mode with safe defaults and an ephemeral key-encryption key', () => {
    const config = loadConfig({});
    expect(config.mode).toBe('development');
    expect(config.issuer).toBe('http://idp.localhost:4000');
    expect(config.port).toBe(4000);
    expect(config.accessTokenAlg).toBe('ES256');
    expect(config.keyEncryptionKeyIsEphemeral).toBe(true);
    expect(config.keyEncryptionKey).toHaveLength(32);
    expect(config.accessTokenTtlMs).toBe(10 * 60_000);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('keeps the JWKS cache lifetime well under the rotation interval', () => {
    const config = loadConfig({ KEY_ROTATION_INTERVAL: '4m' });
    expect(config.jwksMaxAgeSec * 1000).toBeLessThanOrEqual(config.keyRotationIntervalMs / 4);
  });

  it('strips a trailing slash from the issuer', () => {
    expect(loadConfig({ ISSUER: 'https://id.example.localhost/' }).issuer).toBe(
      'https://id.example.localhost',
    );
  });

  it('names each bad variable on its own line, all at once', () => {
    const problems = problemsOf({
      ISSUER: 'not a url',
      IDP_PORT: '70000',
      REDIS_URL: 'mysql://x',
      KEY_ENCRYPTION_KEY: 'short',
      ACCESS_TOKEN_TTL: '15',
      ID_TOKEN_TTL: '400d',
      ACCESS_TOKEN_SIGNING_ALG: 'HS256',
      LOG_LEVEL: 'loud',
    });
    expect(problems.map((line) => line.split(':')[0])).toEqual([
      'ISSUER',
      'IDP_PORT',
      'REDIS_URL',
      'KEY_ENCRYPTION_KEY',
      'ACCESS_TOKEN_TTL',
      'ID_TOKEN_TTL',
      'ACCESS_TOKEN_SIGNING_ALG',
      'LOG_LEVEL',
    ]);
  });

  it('USER_CACHE_TTL: 60s by default, off or 0 turns the cache off, a bad value is named', () => {
    expect(loadConfig({}).userCacheTtlMs).toBe(60_000);
    expect(loadConfig({ USER_CACHE_TTL: 'off' }).userCacheTtlMs).toBe(0);
    expect(loadConfig({ USER_CACHE_TTL: '0' }).userCacheTtlMs).toBe(0);
    expect(loadConfig({ USER_CACHE_TTL: '5s' }).userCacheTtlMs).toBe(5_000);
    expect(problemsOf({ USER_CACHE_TTL: 'soon' })).toEqual([
      'USER_CACHE_TTL: "soon" is not a duration such as 90s, 15m, 12h or 7d',
    ]);
    expect(problemsOf({ USER_CACHE_TTL: '1h' })).toEqual([
      'USER_CACHE_TTL: must be between 1s and 10m',
    ]);
  });

  it('RATE_LIMIT_STORE_BUDGET: 100ms by default, between 10ms and 10s, a bad value is named', () => {
    expect(loadConfig({}).rateLimitStoreBudgetMs).toBe(100);
    expect(loadConfig({ RATE_LIMIT_STORE_BUDGET: '2s' }).rateLimitStoreBudgetMs).toBe(2_000);
    expect(problemsOf({ RATE_LIMIT_STORE_BUDGET: 'fast' })).toEqual([
      'RATE_LIMIT_STORE_BUDGET: "fast" is not a duration such as 90s, 15m, 12h or 7d',
    ]);
    expect(problemsOf({ RATE_LIMIT_STORE_BUDGET: '1ms' })).toEqual([
      'RATE_LIMIT_STORE_BUDGET: must be between 10ms and 10s',
    ]);
  });

  it('never echoes a Redis URL, which may hold a password', () => {
    const problems = problemsOf({ REDIS_URL: 'mysql://user:hunter2@db' });
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('accepts Sentinel and Cluster REDIS_URLs, with the sentinels own password apart', () => {
    const sentinel = loadConfig({
      REDIS_URL: 'redis+sentinel://127.0.0.1:26379,127.0.0.1:26380/latchkey',
      REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
    });
    expect(sentinel.redisSentinelPassword).toBe('sentinel-secret');
    expect(loadConfig({ REDIS_URL: 'rediss+cluster://:pw@127.0.0.1:7000' }).storeUrl).toBe(
      'rediss+cluster://:pw@127.0.0.1:7000',
    );
  });

  it.each([
    ['mixed schemes', 'redis+cluster://127.0.0.1:7000,redis://127.0.0.1:6379', /mixes/],
    ['no seeds', 'redis+cluster://', /no seed/],
    ['a bad port', 'redis+sentinel://:hunter2@127.0.0.1:0/latchkey', /port/],
    ['a missing master name', 'redis+sentinel://127.0.0.1:26379', /master/],
  ])('refuses a REDIS_URL with %s, naming the variable only', (_, url, reason) => {
    const problems = problemsOf({ REDIS_URL: url });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^REDIS_URL: /);
    expect(problems[0]).toMatch(reason);
    expect(problems[0]).not.toContain('hunter2');
  });

  it('refuses REDIS_SENTINEL_PASSWORD without a Sentinel REDIS_URL', () => {
    expect(problemsOf({ REDIS_SENTINEL_PASSWORD: 'x' })).toEqual([
      expect.stringMatching(/^REDIS_SENTINEL_PASSWORD: /),
    ]);
  });

  it('refuses an issuer with a query or fragment (OIDC Discovery §3)', () => {
    expect(problemsOf({ ISSUER: 'https://id.localhost/?tenant=1' })[0]).toMatch(/^ISSUER:/);
  });

  it('metrics only when METRICS_PORT is set, never on the public port', () => {
    expect(loadConfig({}).metrics).toBeNull();
    expect(loadConfig({ METRICS_PORT: '9464' }).metrics).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(loadConfig({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' }).metrics?.host).toBe(
      '0.0.0.0',
    );
    expect(problemsOf({ METRICS_PORT: '4000' })[0]).toMatch(/^METRICS_PORT: must not be IDP_PORT/);
    expect(problemsOf({ METRICS_PORT: '70000' })[0]).toMatch(/^METRICS_PORT: "70000"/);
  });

  it('serves on every core when the state is shared, in one process when it is not', () => {
    const server = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/latchkey' };
    expect(loadConfig(server).workers).toBe(availableParallelism());
    expect(loadConfig({ ...server, IDP_WORKERS: '1' }).workers).toBe(1);
    expect(loadConfig({ ...server, IDP_WORKERS: '3' }).workers).toBe(3);
    // An embedded PGlite or a memory store is one process's own.
    expect(loadConfig({ DATABASE_URL: 'pglite://memory' }).workers).toBe(1);
    expect(loadConfig({ ...server, REDIS_URL: 'memory://' }).workers).toBe(1);
    expect(problemsOf({ DATABASE_URL: 'pglite://memory', IDP_WORKERS: '2' })[0]).toMatch(
      /^IDP_WORKERS: 2 workers need state they can share, but DATABASE_URL names an embedded PGlite/,
    );
    expect(problemsOf({ ...server, REDIS_URL: 'memory://', IDP_WORKERS: '2' })[0]).toMatch(
      /REDIS_URL is memory:\/\//,
    );
    for (const bad of ['0', '-1', 'two', '1.5', '65', '']) {
      const problems = problemsOf({ ...server, IDP_WORKERS: bad });
      if (bad === '') expect(problems).toEqual([]);
      else expect(problems[0]).toMatch(/^IDP_WORKERS: ".*" is not a number of processes \(1-64\)/);
    }
  });

  it('waits for no Redis replica on a plain redis:// unless told, and for one on a topology', () => {
    expect(loadConfig({}).redisReplication).toEqual({ replicas: 0, timeoutMs: 500 });
    expect(
      loadConfig({ REDIS_WAIT_REPLICAS: '2', REDIS_WAIT_TIMEOUT_MS: '250' }).redisReplication,
    ).toEqual({ replicas: 2, timeoutMs: 250 });
    // Read from the scheme alone: the full Sentinel and Cluster URLs are parsed elsewhere.
    for (const url of ['redis+sentinel://127.0.0.1:26379/main', 'redis+cluster://127.0.0.1:7000']) {
      expect(readReplication({ REDIS_URL: url }, [])).toEqual({ replicas: 1, timeoutMs: 500 });
      expect(readReplication({ REDIS_URL: url, REDIS_WAIT_REPLICAS: '0' }, []).replicas).toBe(0);
    }
  });

  it('refuses a REDIS_WAIT_REPLICAS or REDIS_WAIT_TIMEOUT_MS that is not a sane whole number', () => {
    for (const bad of ['-1', '1.5', 'one', '17', ' 1']) {
      expect(problemsOf({ REDIS_WAIT_REPLICAS: bad })[0]).toMatch(/^REDIS_WAIT_REPLICAS:/);
    }
    // At least 10 ms; under the store's 1 s command timeout, since WAIT holds the connection.
    for (const bad of ['0', '5', '1000', '500ms']) {
      expect(problemsOf({ REDIS_WAIT_TIMEOUT_MS: bad })[0]).toMatch(/^REDIS_WAIT_TIMEOUT_MS:/);
    }
    expect(problemsOf({ REDIS_URL: 'memory://', REDIS_WAIT_REPLICAS: '1' })[0]).toMatch(
      /^REDIS_WAIT_REPLICAS: memory/,
    );
  });

  it('keeps audit events 90 days unless told; never less than a day', () => {
    expect(loadConfig({}).auditRetentionMs).toBe(90 * 24 * 3_600_000);
    expect(loadConfig({ AUDIT_RETENTION: '400d' }).auditRetentionMs).toBe(400 * 24 * 3_600_000);
    expect(problemsOf({ AUDIT_RETENTION: '12h' })[0]).toMatch(/^AUDIT_RETENTION:/);
    expect(problemsOf({ AUDIT_RETENTION: 'forever' })[0]).toMatch(/^AUDIT_RETENTION:/);
  });

  it('refreshes the clients every 5 seconds unless told; 100ms to an hour', () => {
    expect(loadConfig({}).clientsRefreshIntervalMs).toBe(5_000);
    expect(loadConfig({ CLIENTS_REFRESH_INTERVAL: '250ms' }).clientsRefreshIntervalMs).toBe(250);
    for (const bad of ['10ms', '2h', '5', 'often', '']) {
      expect(problemsOf({ CLIENTS_REFRESH_INTERVAL: bad })[0]).toMatch(
        /^CLIENTS_REFRESH_INTERVAL:/,
      );
    }
  });

  it('PUBLIC_CLIENT_REFRESH_IDLE_TTL: 1d by default; refuses nonsense and more than REFRESH_TOKEN_TTL', () => {
    expect(loadConfig({}).publicClientRefreshIdleTtlMs).toBe(86_400_000);
    expect(loadConfig({ REFRESH_TOKEN_TTL: '1h' }).publicClientRefreshIdleTtlMs).toBe(3_600_000);
    expect(loadConfig({ PUBLIC_CLIENT_REFRESH_IDLE_TTL: '2h' }).publicClientRefreshIdleTtlMs).toBe(
      7_200_000,
    );
    for (const bad of ['1m', 'soon', '']) {
      expect(problemsOf({ PUBLIC_CLIENT_REFRESH_IDLE_TTL: bad })[0]).toMatch(
        /^PUBLIC_CLIENT_REFRESH_IDLE_TTL:/,
      );
    }
    expect(
      problemsOf({ PUBLIC_CLIENT_REFRESH_IDLE_TTL: '8d', REFRESH_TOKEN_TTL: '7d' })[0],
    ).toMatch(/^PUBLIC_CLIENT_REFRESH_IDLE_TTL: must not be longer than REFRESH_TOKEN_TTL/);
  });

  it('refuses an idle session TTL longer than the absolute one', () => {
    expect(problemsOf({ SESSION_IDLE_TTL: '2d', SESSION_MAX_TTL: '1d' })[0]).toMatch(
      /^SESSION_IDLE_TTL:/,
    );
  });

  describe('production mode', () => {
    const production = {
      NODE_ENV: 'production',
      ISSUER: 'https://id.example.com',
      CLIENTS_FILE: '/x.json',
      DATABASE_URL: 'postgres://latchkey@db.example.com/latchkey',
      SMTP_URL: 'smtp://mail.example.com:587',
      MAIL_FROM: 'no-reply@example.com',
    };

    it('requires DATABASE_URL rather than a folder chosen for it', () => {
      const rest: Record<string, string> = { ...production, KEY_ENCRYPTION_KEY: KEK };
      delete rest.DATABASE_URL;
      expect(problemsOf(rest)).toEqual(['DATABASE_URL: required in production']);
    });

    it('requires KEY_ENCRYPTION_KEY', () => {
      expect(problemsOf(production)).toEqual(['KEY_ENCRYPTION_KEY: required in production']);
    });

    it('requires https for a public issuer', () => {
      const problems = problemsOf({
        ...production,
        KEY_ENCRYPTION_KEY: KEK,
        ISSUER: 'http://id.example.com',
      });
      expect(problems).toEqual(['ISSUER: must use https in production']);
    });

    it('refuses the in-memory store', () => {
      const problems = problemsOf({
        ...production,
        KEY_ENCRYPTION_KEY: KEK,
        REDIS_URL: 'memory://',
      });
      expect(problems[0]).toMatch(/^REDIS_URL:/);
    });

    it('requires CLIENTS_FILE instead of falling back to the demo clients', () => {
      const rest: Record<string, string> = { ...production };
      delete rest.CLIENTS_FILE;
      expect(problemsOf({ ...rest, KEY_ENCRYPTION_KEY: KEK })).toEqual([
        'CLIENTS_FILE: required in production',
      ]);
    });

    it('accepts a complete configuration', () => {
      const config = loadConfig({ ...production, KEY_ENCRYPTION_KEY: KEK });
      expect(config.mode).toBe('production');
      expect(config.keyEncryptionKeyIsEphemeral).toBe(false);
      expect(config.keyEncryptionKey.equals(Buffer.alloc(32, 7))).toBe(true);
    });
  });
});

describe('DATABASE_URL and REDIS_ALLOW_EVICTION', () => {
  it('defaults in dev to the embedded PostgreSQL in .latchkey/db', () => {
    expect(loadConfig({}).database).toEqual({ kind: 'pglite', path: '.latchkey/db' });
  });

  it.each([
    ['postgres://u:p@127.0.0.1:5432/latchkey', 'postgres'],
    ['postgresql://db.internal/latchkey', 'postgres'],
    ['pglite://./data/db', 'pglite'],
    ['pglite://memory', 'pglite'],
  ])('reads %s', (url, kind) => {
    expect(loadConfig({ DATABASE_URL: url }).database.kind).toBe(kind);
  });

  it('keeps nothing for pglite://memory', () => {
    expect(loadConfig({ DATABASE_URL: 'pglite://memory' }).database).toEqual({
      kind: 'pglite',
      path: null,
    });
  });

  it.each(['mysql://db/latchkey', 'pglite://', 'postgres://', 'not a url', 'redis://x'])(
    'refuses %j with one line naming the variable',
    (url) => {
      const problems = problemsOf({ DATABASE_URL: url });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^DATABASE_URL: /);
    },
  );

  it('never echoes a server URL, which may carry a password', () => {
    const [problem] = problemsOf({ DATABASE_URL: 'mysql://user:s3cret@db/x' });
    expect(problem).not.toContain('s3cret');
  });

  it('refuses an evicting Redis unless REDIS_ALLOW_EVICTION=true', () => {
    expect(loadConfig({}).redisAllowEviction).toBe(false);
    expect(loadConfig({ REDIS_ALLOW_EVICTION: 'true' }).redisAllowEviction).toBe(true);
    expect(problemsOf({ REDIS_ALLOW_EVICTION: 'yes' })).toEqual([
      'REDIS_ALLOW_EVICTION: must be true or false',
    ]);
  });
});

describe('request-rate limits and trusted proxies', () => {
  it('has limits by default and trusts no proxy', () => {
    const config = loadConfig({});
    expect(config.rateLimits).toMatchObject({
      tokenPerClient: { limit: 12_000, windowMs: 60_000 },
      tokenPerAddress: { limit: 24_000, windowMs: 60_000 },
      loginPerAddress: { limit: 300, windowMs: 60_000 },
      authorizePerAddress: { limit: 1_200, windowMs: 60_000 },
    });
    expect(config.trustedProxies).toEqual([]);
  });

  it('reads N/window, and off or 0 as no limit', () => {
    const config = loadConfig({
      RATE_LIMIT_TOKEN_PER_CLIENT: '5/2s',
      RATE_LIMIT_TOKEN_PER_ADDRESS: 'off',
      RATE_LIMIT_LOGIN_PER_ADDRESS: '0',
      RATE_LIMIT_AUTHORIZE_PER_ADDRESS: '100/1h',
    });
    expect(config.rateLimits).toMatchObject({
      tokenPerClient: { limit: 5, windowMs: 2_000 },
      tokenPerAddress: null,
      loginPerAddress: null,
      authorizePerAddress: { limit: 100, windowMs: 3_600_000 },
    });
  });

  it('names each bad rate on its own line', () => {
    expect(
      problemsOf({
        RATE_LIMIT_TOKEN_PER_CLIENT: '600',
        RATE_LIMIT_TOKEN_PER_ADDRESS: '10/500ms',
        RATE_LIMIT_LOGIN_PER_ADDRESS: '-1/1m',
        RATE_LIMIT_AUTHORIZE_PER_ADDRESS: '10/2d',
      }).map((line) => line.split(':')[0]),
    ).toEqual([
      'RATE_LIMIT_TOKEN_PER_CLIENT',
      'RATE_LIMIT_TOKEN_PER_ADDRESS',
      'RATE_LIMIT_LOGIN_PER_ADDRESS',
      'RATE_LIMIT_AUTHORIZE_PER_ADDRESS',
    ]);
  });

  it('reads TRUSTED_PROXIES as IPv4 and IPv6 addresses and CIDR blocks', () => {
    const config = loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1,::1 , fd00::/8,' });
    expect(config.trustedProxies.map(({ address, prefix }) => `${address}/${prefix}`)).toEqual([
      '10.0.0.0/8',
      '127.0.0.1/32',
      '::1/128',
      'fd00::/8',
    ]);
  });

  it('refuses a TRUSTED_PROXIES entry that is not an address, in one line', () => {
    expect(problemsOf({ TRUSTED_PROXIES: '10.0.0.0/8, proxy.internal, 10.0.0.0/40' })).toEqual([
      'TRUSTED_PROXIES: each entry must be an IP address or CIDR block (e.g. 10.0.0.0/8, ::1): ' +
        '"proxy.internal", "10.0.0.0/40"',
    ]);
  });
});

describe('MFA_REQUIRED_ROLES', () => {
  it('is empty by default', () => {
    expect(loadConfig({}).mfaRequiredRoles).toEqual([]);
  });

  it('reads a comma-separated list of roles, spaces and repeats ignored', () => {
    expect(loadConfig({ MFA_REQUIRED_ROLES: 'admin, ops,admin' }).mfaRequiredRoles).toEqual([
      'admin',
      'ops',
    ]);
  });

  it('stops start-up on a role that cannot exist, naming the variable', () => {
    expect(problemsOf({ MFA_REQUIRED_ROLES: 'admin,not a role' })).toEqual([
      expect.stringMatching(/^MFA_REQUIRED_ROLES: /),
    ]);
  });
});
