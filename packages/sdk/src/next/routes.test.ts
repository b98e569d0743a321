import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createVerifier } from '../verifier.js';
import { readCookie } from './cookies.js';
import { resolveNextOptions } from './options.js';
import { returnUrl } from './return-to.js';
import { createRoutes, stepUpLoginPath, type ActionContext } from './routes.js';
import { createSealer } from './sealed-value.js';
import { createSessionResolver } from './session-resolver.js';
import type { TokenClient } from './token-client.js';

/**
 * The routes' own rules, before any token exists. Code redemption and the tokens' checks run
 * against the real IdP in e2e/browser; here the token endpoint must never be reached.
 */

const APP = 'http://shop.localhost:3001';
const options = resolveNextOptions({
  issuer: 'http://idp.localhost:4000',
  idpInternalUrl: 'http://127.0.0.1:4000',
  appUrl: APP,
  clientId: 'shop',
  clientSecret: 'shop-demo-secret',
  scope: 'profile wiki:read',
  resources: [`${APP}/api`, 'http://wiki.localhost:3002/api'],
  audience: `${APP}/api`,
  sessionSecret: randomBytes(32).toString('base64url'),
  redisUrl: 'redis://127.0.0.1:6379',
});
const verifier = createVerifier({
  issuer: options.issuer,
  audience: options.audience,
  clientId: 'shop',
  jwksUri: options.jwksUri,
});
const sealer = createSealer(options.sessionKey);
let tokenCalls = 0;
const tokens: TokenClient = () => {
  tokenCalls += 1;
  return Promise.reject(new Error('the token endpoint must not be called'));
};
const sessions = createSessionResolver({
  options,
  verifier,
  ready: async () => {},
  tokens,
  sealer,
});
const routes = createRoutes({ options, verifier, ready: async () => {}, tokens, sealer, sessions });
const action = (name: string): ActionContext => ({ params: Promise.resolve({ action: name }) });

async function startLogin(returnTo = '/orders?page=2') {
  const response = await routes.GET(
    new Request(`${APP}/auth/login?returnTo=${encodeURIComponent(returnTo)}`),
    action('login'),
  );
  const authorize = new URL(response.headers.get('location')!);
  const setCookie = response.headers.getSetCookie();
  return { response, authorize, setCookie };
}

describe('GET /auth/login', () => {
  it('redirects to /authorize with PKCE S256, state, nonce, scope and every resource', async () => {
    const { response, authorize } = await startLogin();
    expect(response.status).toBe(302);
    expect(authorize.origin + authorize.pathname).toBe('http://idp.localhost:4000/authorize');
    const p = authorize.searchParams;
    expect(p.get('response_type')).toBe('code');
    expect(p.get('client_id')).toBe('shop');
    expect(p.get('redirect_uri')).toBe(`${APP}/auth/callback`);
    expect(p.get('scope')).toBe('openid profile wiki:read');
    expect(p.get('code_challenge_method')).toBe('S256');
    expect(p.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(p.get('state')).toMatch(/^[\w-]{43}$/);
    expect(p.get('nonce')).toMatch(/^[\w-]{43}$/);
    expect(p.getAll('resource')).toEqual([`${APP}/api`, 'http://wiki.localhost:3002/api']);
  });

  it('keeps the verifier, nonce and returnTo in a sealed, HttpOnly, Lax cookie of its own', async () => {
    const { authorize, setCookie } = await startLogin();
    const state = authorize.searchParams.get('state')!;
    expect(setCookie).toHaveLength(1);
    const cookie = setCookie[0]!;
    expect(cookie).toMatch(new RegExp(`^latchkey_tx_${state.slice(0, 16)}=`));
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Path=/auth/callback');
    expect(cookie).not.toMatch(/domain=/i);
    expect(cookie).not.toContain(authorize.searchParams.get('nonce')!);
    // The challenge is the S256 of a verifier only the sealed cookie knows.
    const sealed = cookie.split(';')[0]!.split('=')[1]!;
    const transaction = sealer.unseal('latchkey-login-v1', sealed) as Record<string, string>;
    expect(createHash('sha256').update(transaction.verifier!).digest('base64url')).toBe(
      authorize.searchParams.get('code_challenge'),
    );
    expect(transaction.returnTo).toBe('/orders?page=2');
  });

  it('never carries an off-site returnTo (open redirect)', async () => {
    const { setCookie } = await startLogin('https://evil.example/');
    const sealed = setCookie[0]!.split(';')[0]!.split('=')[1]!;
    expect(sealer.unseal('latchkey-login-v1', sealed)).toMatchObject({ returnTo: '/' });
  });

  // Issue 10: paths that become //evil.example once the URL parser removes dot segments.
  it.each([
    ['/.//evil.example/x', '/'],
    ['/a/..//evil.example', '/'],
    ['/%2e//evil.example', '/'],
    ['/\\evil.example', '/'],
    ['/orders/../account?tab=1', '/account?tab=1'],
  ])('returnTo=%s ends at a same-origin path (%s)', async (returnTo, expected) => {
    const { setCookie } = await startLogin(returnTo);
    const sealed = setCookie[0]!.split(';')[0]!.split('=')[1]!;
    const transaction = sealer.unseal('latchkey-login-v1', sealed) as { returnTo: string };
    expect(transaction.returnTo).toBe(expected);
    // Where the callback sends the browser once signed in.
    const after = new URL(returnUrl(transaction.returnTo, APP));
    expect(after.origin).toBe(APP);
    expect(after.pathname + after.search).toBe(expected);
  });
});

describe('GET /auth/callback', () => {
  async function callback(query: Record<string, string>, cookie?: string) {
    const url = new URL(`${APP}/auth/callback`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const headers = cookie === undefined ? undefined : { cookie };
    return routes.GET(new Request(url, { headers }), action('callback'));
  }

  async function loginCookie() {
    const { authorize, setCookie } = await startLogin();
    return { state: authorize.searchParams.get('state')!, cookie: setCookie[0]!.split(';')[0]! };
  }

  it.each([
    ['no state and no cookie', {}, false],
    ['a state with no login cookie (started in another browser)', { code: 'c' }, false],
    ['another state than the one sent', { code: 'c', state: 'x'.repeat(43) }, true],
  ])('answers %s with a readable 400 page', async (_name, query, withCookie) => {
    const login = await loginCookie();
    const response = await callback(query, withCookie ? login.cookie : undefined);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toContain('Sign in again');
  });

  it('refuses a response without the issuer, or from another one (RFC 9207 mix-up)', async () => {
    for (const iss of [undefined, 'http://evil.localhost:4000']) {
      const login = await loginCookie();
      const query = { code: 'c', state: login.state, ...(iss && { iss }) };
      const response = await callback(query, login.cookie);
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('unexpected issuer');
    }
  });

  it('shows an error the IdP sent, escaped, and spends the login cookie', async () => {
    const login = await loginCookie();
    const response = await callback(
      { error: '<script>x</script>', state: login.state, iss: options.issuer },
      login.cookie,
    );
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).not.toContain('<script>x');
    expect(html).toContain('&#60;script&#62;');
    const cleared = response.headers.getSetCookie().find((c) => c.startsWith('latchkey_tx_'));
    expect(cleared).toContain('Max-Age=0');
  });

  it('never reached the token endpoint in any of these', () => {
    expect(tokenCalls).toBe(0);
  });
});

describe('/auth/logout', () => {
  it('GET is 405: a link or an image cannot log a user out', async () => {
    const response = await routes.GET(new Request(`${APP}/auth/logout`), action('logout'));
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it.each([
    ['a cross-site POST', { 'sec-fetch-site': 'cross-site' }],
    ['a POST from a sibling site', { origin: 'http://wiki.localhost:3002' }],
    ['a POST with no origin information', {}],
  ])('refuses %s with 403', async (_name, headers) => {
    const response = await routes.POST(
      new Request(`${APP}/auth/logout`, { method: 'POST', headers }),
      action('logout'),
    );
    expect(response.status).toBe(403);
  });

  it('a same-origin POST clears the session and goes to the IdP with id_token_hint', async () => {
    const cookie = sessions.seal({ at: 'a.b.c', it: 'id.token.value', sub: 'u', sid: 's' });
    const response = await routes.POST(
      new Request(`${APP}/auth/logout`, {
        method: 'POST',
        headers: { origin: APP, cookie: `latchkey_session=${cookie}` },
      }),
      action('logout'),
    );
    expect(response.status).toBe(303);
    const target = new URL(response.headers.get('location')!);
    expect(target.origin + target.pathname).toBe('http://idp.localhost:4000/logout');
    expect(target.searchParams.get('id_token_hint')).toBe('id.token.value');
    expect(target.searchParams.get('post_logout_redirect_uri')).toBe(`${APP}/`);
    expect(target.searchParams.get('client_id')).toBe('shop');
    const cleared = response.headers.getSetCookie().join('\n');
    expect(readCookie(cleared.split(';')[0]!, 'latchkey_session')).toBe('');
    expect(cleared).toContain('Max-Age=0');
  });

  it('an unknown action is 404', async () => {
    expect((await routes.GET(new Request(`${APP}/auth/x`), action('x'))).status).toBe(404);
  });
});

describe('the login-transaction cookie under https (login CSRF from a sibling subdomain)', () => {
  const HTTPS_APP = 'https://shop.example.test';
  const httpsOptions = resolveNextOptions({
    issuer: 'https://idp.example.test',
    idpInternalUrl: 'http://127.0.0.1:4000',
    allowHttpIdp: true,
    appUrl: HTTPS_APP,
    clientId: 'shop',
    clientSecret: 'shop-demo-secret',
    scope: 'profile',
    resources: [`${HTTPS_APP}/api`],
    audience: `${HTTPS_APP}/api`,
    sessionSecret: randomBytes(32).toString('base64url'),
    redisUrl: 'redis://127.0.0.1:6379',
  });
  const httpsSealer = createSealer(httpsOptions.sessionKey);
  const httpsRoutes = createRoutes({
    options: httpsOptions,
    verifier,
    ready: async () => {},
    tokens,
    sealer: httpsSealer,
    sessions: createSessionResolver({
      options: httpsOptions,
      verifier,
      ready: async () => {},
      tokens,
      sealer: httpsSealer,
    }),
  });

  it('is __Host- prefixed, Secure, Path=/ and without Domain', async () => {
    const response = await httpsRoutes.GET(new Request(`${HTTPS_APP}/auth/login`), action('login'));
    const state = new URL(response.headers.get('location')!).searchParams.get('state')!;
    const [cookie] = response.headers.getSetCookie();
    expect(cookie).toMatch(new RegExp(`^__Host-latchkey_tx_${state.slice(0, 16)}=`));
    expect(cookie).toContain('; Secure');
    expect(cookie).toContain('Path=/;');
    expect(cookie).not.toMatch(/domain=/i);
  });

  it('ignores a planted transaction without the prefix', async () => {
    const login = await httpsRoutes.GET(new Request(`${HTTPS_APP}/auth/login`), action('login'));
    const state = new URL(login.headers.get('location')!).searchParams.get('state')!;
    const sealed = login.headers.getSetCookie()[0]!.split(';')[0]!.split('=')[1]!;
    const planted = `latchkey_tx_${state.slice(0, 16)}=${sealed}`;
    const callsBefore = tokenCalls;
    const callback = await httpsRoutes.GET(
      new Request(
        `${HTTPS_APP}/auth/callback?code=x&state=${state}&iss=${encodeURIComponent('https://idp.example.test')}`,
        { headers: { cookie: planted } },
      ),
      action('callback'),
    );
    expect(callback.status).toBe(400);
    expect(tokenCalls).toBe(callsBefore);
  });
});

describe('GET /auth/login?acr=… (step-up, OIDC acr_values)', () => {
  it('asks the IdP for the level named, as acr_values', async () => {
    const response = await routes.GET(
      new Request(`${APP}/auth/login?returnTo=%2Fedit&acr=urn%3Alatchkey%3Aacr%3Amfa`),
      action('login'),
    );
    const authorize = new URL(response.headers.get('location')!);
    expect(authorize.searchParams.get('acr_values')).toBe('urn:latchkey:acr:mfa');
  });

  it('asks for nothing more without acr, or with an unreadable one', async () => {
    const { authorize } = await startLogin();
    expect(authorize.searchParams.has('acr_values')).toBe(false);
    const response = await routes.GET(
      new Request(`${APP}/auth/login?acr=${encodeURIComponent('a\u0000b')}`),
      action('login'),
    );
    expect(new URL(response.headers.get('location')!).searchParams.has('acr_values')).toBe(false);
  });

  it('stepUpLoginPath builds the link an app puts before a sensitive action', () => {
    expect(stepUpLoginPath('urn:latchkey:acr:mfa', '/wiki/edit?page=1')).toBe(
      '/auth/login?returnTo=%2Fwiki%2Fedit%3Fpage%3D1&acr=urn%3Alatchkey%3Aacr%3Amfa',
    );
  });
});
