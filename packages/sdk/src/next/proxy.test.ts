import { randomBytes } from 'node:crypto';
import { accessTokenHash } from '@latchkey/protocol';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AUDIENCE, CLIENT_ID, createFixture, type Fixture } from '../test-support/fixture.js';
import { sign } from '../test-support/keys.js';
import { HOST_SESSION_COOKIE, SESSION_COOKIE } from './cookies.js';
import { resolveNextOptions } from './options.js';
import { createProxy } from './proxy.js';
import { createRoutes } from './routes.js';
import { createSealer } from './sealed-value.js';
import { createSessionResolver } from './session-resolver.js';
import type { TokenClient } from './token-client.js';

/**
 * Which session cookie the proxy and logout read, with the real session resolver on the
 * fixture's keys: with a name sent twice both must take the same copy, and under https a
 * cookie without the __Host- prefix (planted by a sibling subdomain) is no session at all.
 */

let f: Fixture;
beforeAll(async () => {
  f = await createFixture();
});
afterAll(() => f.idp.close());
beforeEach(() => f.reset());

const HTTPS_APP = 'https://shop.example';
const HTTP_APP = 'http://shop.localhost:3001';

function setup(appUrl: string) {
  const options = resolveNextOptions({
    issuer: f.idp.issuer,
    appUrl,
    clientId: CLIENT_ID,
    clientSecret: 'secret',
    audience: AUDIENCE,
    sessionSecret: randomBytes(32).toString('base64url'),
    redisUrl: 'redis://127.0.0.1:1',
    logger: { warn() {} },
  });
  const verifier = f.verifier();
  const sealer = createSealer(options.sessionKey);
  const tokens: TokenClient = () => Promise.reject(new Error('no refresh in these tests'));
  const deps = { options, verifier, ready: () => Promise.resolve(), tokens, sealer };
  const sessions = createSessionResolver({ ...deps, now: () => f.clock.ms });
  const proxy = createProxy(options, sessions);
  const routes = createRoutes({ ...deps, sessions, now: () => f.clock.ms });

  /** A live session for `sub`, sealed as the app's cookie value. */
  async function liveCookie(sub: string): Promise<string> {
    const accessToken = await sign(f.keys.es256, f.accessClaims({ sub, sid: `sid-${sub}` }));
    const idToken = await sign(
      f.keys.rs256,
      f.idClaims({ sub, sid: `sid-${sub}`, at_hash: accessTokenHash(accessToken, 'RS256') }),
      { typ: undefined },
    );
    return sessions.seal({ at: accessToken, it: idToken, sub, sid: `sid-${sub}` });
  }

  /** The proxy's answer: through to the page, or off to sign in. */
  async function throughProxy(cookie: string): Promise<'page' | 'login'> {
    const response = await proxy(new NextRequest(`${appUrl}/orders`, { headers: { cookie } }));
    if (response.status === 307) return 'login';
    expect(response.headers.get('x-middleware-next')).toBe('1');
    return 'page';
  }

  /** The id_token_hint logout sends the IdP: whose session logout read. */
  async function logoutHint(cookie: string): Promise<string | null> {
    const response = await routes.POST(
      new Request(`${appUrl}/auth/logout`, {
        method: 'POST',
        headers: { origin: appUrl, cookie },
      }),
      { params: Promise.resolve({ action: 'logout' }) },
    );
    expect(response.status).toBe(303);
    return new URL(response.headers.get('location')!).searchParams.get('id_token_hint');
  }

  return { liveCookie, throughProxy, logoutHint, sessions };
}

describe('under https', () => {
  it('a planted latchkey_session without the prefix is no session for the proxy or logout', async () => {
    const app = setup(HTTPS_APP);
    const planted = `${SESSION_COOKIE}=${await app.liveCookie('attacker')}`;
    expect(await app.throughProxy(planted)).toBe('login');
    expect(await app.logoutHint(planted)).toBeNull();
    // The app's own __Host- cookie next to it is what counts.
    const ours = `${HOST_SESSION_COOKIE}=${await app.liveCookie('alice')}`;
    expect(await app.throughProxy(`${planted}; ${ours}`)).toBe('page');
  });
});

describe.each([
  ['https', HTTPS_APP, HOST_SESSION_COOKIE],
  ['http', HTTP_APP, SESSION_COOKIE],
])('over %s, a session cookie sent twice', (_scheme, appUrl, name) => {
  it('the proxy and logout both read the first copy', async () => {
    const app = setup(appUrl);
    const alice = await app.liveCookie('alice');
    const mallory = await app.liveCookie('mallory');
    const hintOf = (sealed: string) => app.sessions.read(sealed)!.it!;

    // Live first, garbage second: the proxy lets the page through on the first copy.
    expect(await app.throughProxy(`${name}=${alice}; ${name}=garbage`)).toBe('page');
    // Garbage first, live second: the first copy is still the one read, so no session.
    expect(await app.throughProxy(`${name}=garbage; ${name}=${alice}`)).toBe('login');
    // Logout ends the session of the same, first copy.
    expect(await app.logoutHint(`${name}=${alice}; ${name}=${mallory}`)).toBe(hintOf(alice));
    expect(await app.logoutHint(`${name}=${mallory}; ${name}=${alice}`)).toBe(hintOf(mallory));
  });
});
