import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeUrl, createBrowser, pkcePair, signIn } from '../../test-support/browser.js';
import { startTestIdp, type TestIdp } from '../../test-support/test-idp.js';

const ISSUER = 'http://idp.localhost:4000';
const SHOP = { clientId: 'shop', redirectUri: 'http://shop.localhost:3001/auth/callback' };
const WIKI = { clientId: 'wiki', redirectUri: 'http://wiki.localhost:3002/auth/callback' };
const ALICE = { username: 'alice', password: 'wonderland-alice' };

let idp: TestIdp;
beforeAll(async () => {
  idp = await startTestIdp();
});
afterAll(() => idp.close());

/** GET /authorize with the shop's defaults, `extra` overriding or (as undefined) removing. */
async function authorize(
  extra: Record<string, string | undefined> = {},
  browser = createBrowser(),
) {
  const { url, state } = authorizeUrl(idp.url, SHOP);
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) url.searchParams.delete(name);
    else url.searchParams.set(name, value);
  }
  const response = await browser.fetch(url);
  const location = response.headers.get('location');
  return { response, state, location: location === null ? null : new URL(location, idp.url) };
}

/** An error sent back to the client (RFC 6749 §4.1.2.1 and RFC 9207). */
function expectRedirectError(
  result: Awaited<ReturnType<typeof authorize>>,
  error: string,
  state: string | null = result.state,
) {
  expect(result.response.status).toBe(303);
  expect(result.location?.origin + result.location!.pathname).toBe(SHOP.redirectUri);
  expect(result.location?.searchParams.get('error')).toBe(error);
  expect(result.location?.searchParams.get('error_description')).toBeTruthy();
  expect(result.location?.searchParams.get('state')).toBe(state);
  expect(result.location?.searchParams.get('iss')).toBe(ISSUER);
  expect(result.location?.searchParams.has('code')).toBe(false);
}

/** An error page: no redirect anywhere. */
async function expectErrorPage(result: Awaited<ReturnType<typeof authorize>>) {
  expect(result.response.status).toBe(400);
  expect(result.location).toBeNull();
  expect(result.response.headers.get('content-type')).toMatch(/^text\/html/);
  expect(result.response.headers.get('content-security-policy')).toContain(
    "frame-ancestors 'none'",
  );
  const html = await result.response.text();
  expect(html).toContain('<html lang="en">');
  expect(html).not.toContain('shop.localhost');
}

describe('GET /authorize: the client and its redirect URI (RFC 6749 §4.1.2.1)', () => {
  it('RFC 6749 4.1.2.1: an unknown client_id gets an error page, never a redirect', async () => {
    await expectErrorPage(await authorize({ client_id: 'no-such-client' }));
  });

  it('RFC 6749 4.1.2.1: a missing client_id gets an error page', async () => {
    await expectErrorPage(await authorize({ client_id: undefined }));
  });

  it('OAuth 2.1 4.1.1: an unregistered redirect_uri gets an error page (exact match, no redirect)', async () => {
    await expectErrorPage(await authorize({ redirect_uri: 'https://attacker.example/callback' }));
    await expectErrorPage(await authorize({ redirect_uri: `${SHOP.redirectUri}/extra` }));
    await expectErrorPage(await authorize({ redirect_uri: `${SHOP.redirectUri}?x=1` }));
    await expectErrorPage(
      await authorize({ redirect_uri: SHOP.redirectUri.replace('http:', 'HTTP:') }),
    );
  });

  it("OAuth 2.1 4.1.1: another client's redirect_uri is not this client's", async () => {
    await expectErrorPage(await authorize({ redirect_uri: WIKI.redirectUri }));
  });

  it('OIDC Core 3.1.2.1: a missing redirect_uri gets an error page', async () => {
    await expectErrorPage(await authorize({ redirect_uri: undefined }));
  });

  it('RFC 6749 3.1: a repeated client_id or redirect_uri gets an error page', async () => {
    const url = authorizeUrl(idp.url, SHOP).url;
    url.searchParams.append('redirect_uri', 'https://attacker.example/callback');
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });

  it('an over-long redirect_uri gets an error page', async () => {
    await expectErrorPage(
      await authorize({ redirect_uri: `${SHOP.redirectUri}?${'a'.repeat(3000)}` }),
    );
  });
});

describe('GET /authorize: errors sent back to the client', () => {
  it('RFC 6749 4.1.2.1: response_type other than code answers unsupported_response_type', async () => {
    expectRedirectError(await authorize({ response_type: 'token' }), 'unsupported_response_type');
    expectRedirectError(
      await authorize({ response_type: 'code id_token' }),
      'unsupported_response_type',
    );
  });

  it('RFC 6749 4.1.2.1: a missing response_type answers invalid_request', async () => {
    expectRedirectError(await authorize({ response_type: undefined }), 'invalid_request');
  });

  it('RFC 7636 4.4.1 / OAuth 2.1: a missing code_challenge answers invalid_request', async () => {
    expectRedirectError(await authorize({ code_challenge: undefined }), 'invalid_request');
  });

  it('OAuth 2.1 4.1.1: code_challenge_method=plain is refused', async () => {
    const { verifier } = pkcePair();
    expectRedirectError(
      await authorize({ code_challenge: verifier, code_challenge_method: 'plain' }),
      'invalid_request',
    );
  });

  it('RFC 7636 4.3: a missing code_challenge_method (meaning plain) is refused', async () => {
    expectRedirectError(await authorize({ code_challenge_method: undefined }), 'invalid_request');
  });

  it('RFC 7636 4.2: a code_challenge that is not a base64url SHA-256 digest is refused', async () => {
    expectRedirectError(await authorize({ code_challenge: 'too-short' }), 'invalid_request');
    expectRedirectError(
      await authorize({ code_challenge: `${'a'.repeat(42)}=` }),
      'invalid_request',
    );
  });

  it('OIDC Core 3.1.2.1: a scope without openid answers invalid_scope', async () => {
    expectRedirectError(await authorize({ scope: 'profile email' }), 'invalid_scope');
    expectRedirectError(await authorize({ scope: undefined }), 'invalid_scope');
  });

  it('RFC 6749 3.3: a scope the client may not have answers invalid_scope', async () => {
    expectRedirectError(await authorize({ scope: 'openid wiki:write' }), 'invalid_scope');
    expectRedirectError(await authorize({ scope: 'openid admin' }), 'invalid_scope');
  });

  it('RFC 8707 2: a resource not registered for the client answers invalid_target', async () => {
    expectRedirectError(await authorize({ resource: 'https://api.example/' }), 'invalid_target');
  });

  it('OIDC Core 3.1.2.1: prompt=none combined with another value answers invalid_request', async () => {
    expectRedirectError(await authorize({ prompt: 'none login' }), 'invalid_request');
  });

  it('OIDC Core 3.1.2.1: an unknown prompt value or a malformed max_age answers invalid_request', async () => {
    expectRedirectError(await authorize({ prompt: 'sudo' }), 'invalid_request');
    expectRedirectError(await authorize({ max_age: '-1' }), 'invalid_request');
    expectRedirectError(await authorize({ max_age: 'soon' }), 'invalid_request');
  });

  it('OIDC Core 3.1.2.6: prompt=none without a session answers login_required', async () => {
    expectRedirectError(await authorize({ prompt: 'none' }), 'login_required');
  });

  // A pushed request's URN is another thing (RFC 9126: oauth/par/par-route.test.ts).
  it('OIDC Core 6: request objects answer request_not_supported / request_uri_not_supported', async () => {
    expectRedirectError(await authorize({ request: 'eyJ.e30.' }), 'request_not_supported');
    expectRedirectError(
      await authorize({ request_uri: 'https://shop.localhost/req' }),
      'request_uri_not_supported',
    );
  });

  it('RFC 6749 3.1: a repeated parameter answers invalid_request', async () => {
    const browser = createBrowser();
    const { url, state } = authorizeUrl(idp.url, SHOP);
    url.searchParams.append('scope', 'openid');
    const response = await browser.fetch(url);
    const location = new URL(response.headers.get('location')!);
    expect(response.status).toBe(303);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('state')).toBe(state);
  });

  it('an over-long parameter answers invalid_request; an over-long state is not echoed', async () => {
    expectRedirectError(await authorize({ nonce: 'n'.repeat(2049) }), 'invalid_request');
    expectRedirectError(await authorize({ state: 's'.repeat(2049) }), 'invalid_request', null);
  });

  it('RFC 6749 4.1.2.1: a machine client (no redirect URI registered) gets an error page', async () => {
    await expectErrorPage(
      await authorize({ client_id: 'reports', redirect_uri: 'http://reports.localhost/cb' }),
    );
  });
});

describe('GET /authorize: to the login form, or straight back with a code (SSO)', () => {
  it('without a session, stores the request and sends the browser to /login', async () => {
    const { response, location } = await authorize();
    expect(response.status).toBe(303);
    expect(location?.origin).toBe(idp.url);
    expect(location?.pathname).toBe('/login');
    expect(location?.searchParams.get('authz')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('RFC 6749 4.1.2: the state is returned unchanged, however unusual (the client detects tampering)', async () => {
    const browser = createBrowser();
    const state = 'état/with spaces&symbols=?#+';
    const result = await signIn(browser, idp.url, { ...SHOP, ...ALICE, state });
    expect(result.callback.searchParams.get('state')).toBe(state);
    expect(result.callback.searchParams.get('iss')).toBe(ISSUER);
    expect(result.callback.origin + result.callback.pathname).toBe(SHOP.redirectUri);
  });

  it('single sign-on: a second client, same browser, gets a code without the login form', async () => {
    const browser = createBrowser();
    const first = await signIn(browser, idp.url, { ...SHOP, ...ALICE });
    expect(first.loginFormShown).toBe(true);
    const second = await signIn(browser, idp.url, { ...WIKI, scope: 'openid wiki:read' });
    expect(second.loginFormShown).toBe(false);
    expect(second.code).not.toBe(first.code);
    expect(second.callback.origin + second.callback.pathname).toBe(WIKI.redirectUri);
  });

  it('OIDC Core 3.1.2.6: prompt=none with a live session issues a code without any page', async () => {
    const browser = createBrowser();
    await signIn(browser, idp.url, { ...SHOP, ...ALICE });
    const again = await signIn(browser, idp.url, { ...WIKI, extra: { prompt: 'none' } });
    expect(again.loginFormShown).toBe(false);
  });

  it('OIDC Core 3.1.2.1: prompt=login forces the login form despite a live session', async () => {
    const browser = createBrowser();
    await signIn(browser, idp.url, { ...SHOP, ...ALICE });
    const again = await authorize({ prompt: 'login' }, browser);
    expect(again.location?.pathname).toBe('/login');
  });

  it('OIDC Core 3.1.2.1: max_age=0 forces the login form despite a live session', async () => {
    const browser = createBrowser();
    await signIn(browser, idp.url, { ...SHOP, ...ALICE });
    const again = await authorize({ max_age: '0' }, browser);
    expect(again.location?.pathname).toBe('/login');
  });

  it('OIDC Core 3.1.2.1: a max_age the session is within needs no login', async () => {
    const browser = createBrowser();
    await signIn(browser, idp.url, { ...SHOP, ...ALICE });
    const again = await signIn(browser, idp.url, { ...WIKI, extra: { max_age: '3600' } });
    expect(again.loginFormShown).toBe(false);
  });

  it('a session cookie that names no session is no session (fails closed)', async () => {
    const browser = createBrowser();
    browser.setCookie(idp.url, 'latchkey_session', 'x'.repeat(43));
    const { location } = await authorize({}, browser);
    expect(location?.pathname).toBe('/login');
    expectRedirectError(await authorize({ prompt: 'none' }, browser), 'login_required');
  });

  it('OIDC Core 3.1.2.1: POST /authorize with a form works like GET', async () => {
    const { url } = authorizeUrl(idp.url, SHOP);
    const response = await fetch(new URL('/authorize', idp.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: url.searchParams,
      redirect: 'manual',
    });
    expect(response.status).toBe(303);
    expect(new URL(response.headers.get('location')!, idp.url).pathname).toBe('/login');
  });
});
