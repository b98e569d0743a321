import { randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { readDemoConfig, type DemoApp, type Env, type EnvReader } from './config.js';

const SECRET = randomBytes(32).toString('base64url');
let apps = 0;

/** A fresh app name per call: the dev session secret is kept per name on globalThis. */
function demoApp(): DemoApp & { warn: ReturnType<typeof vi.fn> } {
  const warn = vi.fn();
  apps += 1;
  return {
    name: `test-app-${apps}`,
    appUrl: 'http://app.localhost:3009',
    demoClientId: 'app',
    demoClientSecret: 'app-demo-secret',
    log: { warn },
    warn,
  };
}

const readOwn = (read: EnvReader) => ({
  otherUrl: read.url('OTHER_URL', 'http://other.localhost:3010'),
  flag: read.boolean('OWN_FLAG'),
});

function read(env: Env, app = demoApp()) {
  return readDemoConfig(env, app, readOwn);
}

/** The problem lines of the error a bad environment throws (the first line is the title). */
function problems(env: Env): string[] {
  const app = demoApp();
  let message = '';
  try {
    read(env, app);
  } catch (error) {
    message = (error as Error).message;
  }
  const [title, ...lines] = message.split('\n');
  expect(title).toBe(`Invalid ${app.name} configuration:`);
  return lines.map((line) => line.trim());
}

describe('readDemoConfig', () => {
  it('takes the Sentinel and Cluster forms of REDIS_URL, as the IdP does', () => {
    for (const url of [
      'redis+sentinel://127.0.0.1:26379,127.0.0.1:26380/latchkey',
      'rediss+cluster://127.0.0.1:7000,127.0.0.1:7001',
    ]) {
      expect(read({ REDIS_URL: url }).redisUrl).toBe(url);
    }
  });

  it('reads a good environment, the app’s own variables included, into a frozen object', () => {
    const config = read({
      ISSUER: 'https://id.example.com/',
      IDP_INTERNAL_URL: 'http://idp:4000/',
      ALLOW_HTTP_IDP: 'true',
      APP_URL: 'https://app.example.com//',
      CLIENT_ID: 'app-client',
      CLIENT_SECRET: 'a-real-secret',
      SESSION_SECRET: SECRET,
      REDIS_URL: 'rediss://cache.internal:6380',
      PORT: '8080',
      LATCHKEY_ENV: 'production',
      NODE_ENV: 'production',
      OTHER_URL: 'https://other.example.com/',
      OWN_FLAG: 'true',
    });
    expect(config).toEqual({
      production: true,
      devServer: false,
      // Kept exactly as written: it is compared with `iss` as a string.
      issuer: 'https://id.example.com/',
      idpInternalUrl: 'http://idp:4000',
      allowHttpIdp: true,
      appUrl: 'https://app.example.com',
      clientId: 'app-client',
      clientSecret: 'a-real-secret',
      sessionSecret: SECRET,
      redisUrl: 'rediss://cache.internal:6380',
      otherUrl: 'https://other.example.com',
      flag: true,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('falls back to the demo defaults in dev', () => {
    const config = read({ SESSION_SECRET: SECRET, NODE_ENV: 'development' });
    expect(config).toMatchObject({
      production: false,
      devServer: true,
      issuer: 'http://idp.localhost:4000',
      idpInternalUrl: 'http://127.0.0.1:4000',
      allowHttpIdp: false,
      appUrl: 'http://app.localhost:3009',
      clientId: 'app',
      clientSecret: 'app-demo-secret',
      redisUrl: 'redis://127.0.0.1:6379',
      otherUrl: 'http://other.localhost:3010',
      flag: false,
    });
  });

  it.each([
    ['ISSUER', 'idp.localhost:4000', 'ISSUER: must be http(s) (got "idp.localhost:4000")'],
    ['ISSUER', 'not a url', 'ISSUER: not a valid URL (got "not a url")'],
    [
      'IDP_INTERNAL_URL',
      'http://idp:4000/?x=1',
      'IDP_INTERNAL_URL: must not have a query or fragment (got "http://idp:4000/?x=1")',
    ],
    ['APP_URL', 'ftp://app', 'APP_URL: must be http(s) (got "ftp://app")'],
    ['OTHER_URL', 'other', 'OTHER_URL: not a valid URL (got "other")'],
    ['ALLOW_HTTP_IDP', 'yes', 'ALLOW_HTTP_IDP: must be true or false (got "yes")'],
    ['OWN_FLAG', '1', 'OWN_FLAG: must be true or false (got "1")'],
    ['CLIENT_ID', '', 'CLIENT_ID: must not be empty'],
    ['CLIENT_SECRET', '', 'CLIENT_SECRET: must not be empty'],
    [
      'SESSION_SECRET',
      'too-short',
      'SESSION_SECRET: must be 32 random bytes encoded as base64url (43 characters)',
    ],
    [
      'SESSION_SECRET',
      `${SECRET.slice(0, -1)}+`,
      'SESSION_SECRET: must be 32 random bytes encoded as base64url (43 characters)',
    ],
    [
      'REDIS_URL',
      'http://127.0.0.1:6379',
      'REDIS_URL: must be a redis://, rediss://, redis+sentinel:// or redis+cluster:// URL (got "http://127.0.0.1:6379")',
    ],
    ['PORT', '0', 'PORT: must be a port number 1-65535 (got "0")'],
    ['PORT', '65536', 'PORT: must be a port number 1-65535 (got "65536")'],
    ['PORT', '80a', 'PORT: must be a port number 1-65535 (got "80a")'],
  ])('refuses %s=%j with one line naming it', (name, value, line) => {
    expect(problems({ SESSION_SECRET: SECRET, [name]: value })).toEqual([line]);
  });

  it('reports every bad variable at once, one line each', () => {
    const lines = problems({
      ISSUER: 'x',
      APP_URL: 'x',
      OTHER_URL: 'x',
      ALLOW_HTTP_IDP: 'x',
      CLIENT_ID: '',
      SESSION_SECRET: 'x',
      REDIS_URL: 'x',
      PORT: 'x',
    });
    expect(lines.map((line) => line.split(':')[0])).toEqual([
      'ISSUER',
      'APP_URL',
      'OTHER_URL',
      'ALLOW_HTTP_IDP',
      'CLIENT_ID',
      'SESSION_SECRET',
      'REDIS_URL',
      'PORT',
    ]);
  });

  describe('with LATCHKEY_ENV=production', () => {
    it('refuses the demo client secret and a missing SESSION_SECRET', () => {
      expect(problems({ LATCHKEY_ENV: 'production' })).toEqual([
        'CLIENT_SECRET: the demo secret is refused when LATCHKEY_ENV=production',
        'SESSION_SECRET: required when LATCHKEY_ENV=production (32 random bytes, base64url)',
      ]);
    });

    it('refuses an empty SESSION_SECRET', () => {
      expect(
        problems({ LATCHKEY_ENV: 'production', CLIENT_SECRET: 'real', SESSION_SECRET: '' }),
      ).toEqual([
        'SESSION_SECRET: required when LATCHKEY_ENV=production (32 random bytes, base64url)',
      ]);
    });
  });

  describe('without SESSION_SECRET in dev', () => {
    it('makes one random key per process, shared by every read, and warns once', () => {
      const app = demoApp();
      const first = read({}, app);
      const second = read({}, app);
      expect(Buffer.from(first.sessionSecret, 'base64url')).toHaveLength(32);
      // Next evaluates the config once per bundle; both must seal cookies with the same key.
      expect(second.sessionSecret).toBe(first.sessionSecret);
      expect(app.warn).toHaveBeenCalledOnce();
      expect(read({}).sessionSecret).not.toBe(first.sessionSecret);
    });

    it('stays quiet during `next build`, whose key is never used', () => {
      const app = demoApp();
      read({ NEXT_PHASE: 'phase-production-build' }, app);
      expect(app.warn).not.toHaveBeenCalled();
    });

    it('does not warn when the environment is bad anyway', () => {
      const app = demoApp();
      expect(() => read({ PORT: 'x' }, app)).toThrow(/PORT/);
      expect(app.warn).not.toHaveBeenCalled();
    });
  });
});
