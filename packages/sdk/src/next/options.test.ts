import { describe, expect, it } from 'vitest';
import { resolveNextOptions, type LatchkeyNextOptions } from './options.js';

const base: LatchkeyNextOptions = {
  issuer: 'http://idp.localhost:4000',
  idpInternalUrl: 'http://127.0.0.1:4000',
  appUrl: 'http://shop.localhost:3001',
  clientId: 'shop',
  clientSecret: 'shop-demo-secret',
  audience: 'http://shop.localhost:3001/api',
  sessionSecret: Buffer.alloc(32, 7).toString('base64url'),
  redisUrl: 'redis://127.0.0.1:6379',
};

describe('createLatchkeyNext options', () => {
  it.each([
    'redis+sentinel://127.0.0.1:26379,127.0.0.1:26380/latchkey',
    'redis+cluster://127.0.0.1:7000,127.0.0.1:7001',
  ])('takes the IdP REDIS_URL forms: %s', (redisUrl) => {
    expect(resolveNextOptions({ ...base, redisUrl }).redisUrl).toBe(redisUrl);
  });

  it('derives the endpoints: the browser goes to the public issuer, the server to the internal URL', () => {
    const resolved = resolveNextOptions({ ...base, scope: 'profile wiki:read' });
    expect(resolved).toMatchObject({
      authorizeEndpoint: 'http://idp.localhost:4000/authorize',
      endSessionEndpoint: 'http://idp.localhost:4000/logout',
      tokenEndpoint: 'http://127.0.0.1:4000/token',
      jwksUri: 'http://127.0.0.1:4000/jwks',
      redirectUri: 'http://shop.localhost:3001/auth/callback',
      postLogoutRedirectUri: 'http://shop.localhost:3001/',
      scope: 'openid profile wiki:read',
      secureCookies: false,
    });
  });

  it('marks cookies Secure for an https app', () => {
    expect(resolveNextOptions({ ...base, appUrl: 'https://shop.example' }).secureCookies).toBe(
      true,
    );
  });

  it('accepts plain http to the IdP on a private network only with allowHttpIdp', () => {
    const internal = { ...base, idpInternalUrl: 'http://idp:4000' };
    expect(() => resolveNextOptions(internal)).toThrow(/idpInternalUrl/);
    expect(resolveNextOptions({ ...internal, allowHttpIdp: true }).tokenEndpoint).toBe(
      'http://idp:4000/token',
    );
  });

  it.each<[string, Partial<Record<keyof LatchkeyNextOptions, unknown>>, RegExp]>([
    ['a plain-http public issuer', { issuer: 'http://idp.example' }, /issuer/],
    ['a plain-http app', { appUrl: 'http://shop.example' }, /appUrl/],
    ['a short session secret', { sessionSecret: 'c2hvcnQ' }, /sessionSecret/],
    ['a session secret that is not base64url', { sessionSecret: '+'.repeat(43) }, /sessionSecret/],
    ['no client secret', { clientSecret: '' }, /clientSecret/],
    ['no client id', { clientId: undefined }, /clientId/],
    ['a non-redis URL', { redisUrl: 'http://127.0.0.1:6379' }, /redisUrl/],
    [
      'a Redis URL mixing schemes',
      { redisUrl: 'redis+cluster://127.0.0.1:7000,redis://127.0.0.1:6379' },
      /redisUrl: mixes/,
    ],
    ['a bad scope', { scope: 'openid "quoted"' }, /scope/],
    ['a relative resource', { resources: ['/api'] }, /resources/],
    ['no audience', { audience: [] }, /audience/],
    ['a negative refresh window', { refreshBeforeSec: -1 }, /refreshBeforeSec/],
    ['allowHttpIdp not a boolean', { allowHttpIdp: 'yes' }, /allowHttpIdp/],
    [
      'a logged-out record without check',
      { loggedOutSessions: { record() {} } },
      /loggedOutSessions/,
    ],
    ['onBackChannelLogout not a function', { onBackChannelLogout: 'x' }, /onBackChannelLogout/],
  ])('refuses %s with a TypeError naming the option', (_name, overrides, message) => {
    expect(() => resolveNextOptions({ ...base, ...overrides } as LatchkeyNextOptions)).toThrow(
      message,
    );
  });
});
