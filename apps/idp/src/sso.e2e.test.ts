import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier } from '@latchkey/sdk';
import { startTestRedis, waitFor, type TestRedis, printOutputOnFailure } from '@latchkey/testing';
import { createBrowser, signIn } from './test-support/browser.js';
import { findTestPostgres, type TestPostgresDatabase } from '@latchkey/testing';
import { runSessionsCommand, startIdp, type IdpProcess } from './test-support/idp-process.js';
import { startResourceServer, type ResourceServer } from './test-support/resource-server.js';
import { basicAuth, form } from './test-support/test-idp.js';

/**
 * The whole single sign-on story of issue 3, each part a process of its own as in production:
 * a real Redis, the built IdP, and an API that verifies tokens with the SDK and learns of
 * revocations through Redis. The browser is a cookie-keeping HTTP client.
 */

const ISSUER = 'http://idp.localhost:4000';
const WIKI_API = 'http://wiki.localhost:3002/api';
const SHOP = {
  clientId: 'shop',
  auth: basicAuth('shop', 'shop-demo-secret'),
  redirectUri: 'http://shop.localhost:3001/auth/callback',
  postLogout: 'http://shop.localhost:3001/',
};
const WIKI = {
  clientId: 'wiki',
  auth: basicAuth('wiki', 'wiki-demo-secret'),
  redirectUri: 'http://wiki.localhost:3002/auth/callback',
};

let redis: TestRedis;
let idp: IdpProcess;
let api: ResourceServer;
// The operator's command and the IdP must share the directory: a PostgreSQL server (an
// embedded one lives inside one process). Without one, that test is skipped locally.
const postgres = await findTestPostgres();
let directory: TestPostgresDatabase | undefined;
const databaseEnv = (): Record<string, string> =>
  directory ? { DATABASE_URL: directory.url } : {};

beforeAll(async () => {
  redis = await startTestRedis();
  if (postgres.available) directory = await postgres.createDatabase();
  idp = await startIdp({ REDIS_URL: redis.url, LOG_LEVEL: 'warn', ...databaseEnv() });
  api = await startResourceServer({
    ISSUER,
    JWKS_URI: `${idp.url}/jwks`,
    AUDIENCE: WIKI_API,
    REDIS_URL: redis.url,
  });
}, 60_000);

afterAll(async () => {
  await api?.stop();
  await idp?.kill();
  await redis?.kill();
  await directory?.drop();
});

printOutputOnFailure(() => idp?.output());

interface Tokens {
  access_token: string;
  id_token: string;
  refresh_token?: string;
  token_type: string;
  expires_in: number;
  scope: string;
}

async function token(
  client: { auth: string },
  params: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${idp.url}/token`, {
    method: 'POST',
    headers: { Authorization: client.auth },
    body: form(params),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function codeExchange(
  client: typeof SHOP | typeof WIKI,
  signedIn: { code: string; verifier: string },
): Promise<Tokens> {
  const { status, body } = await token(client, {
    grant_type: 'authorization_code',
    code: signedIn.code,
    redirect_uri: client.redirectUri,
    code_verifier: signedIn.verifier,
  });
  expect(status).toBe(200);
  return body as unknown as Tokens;
}

describe('single sign-on across processes, over Redis', { timeout: 30_000 }, () => {
  it('authorize → login → code → tokens → userinfo → refresh → SSO at a second client → logout revokes everything everywhere within 100 ms', async () => {
    const browser = createBrowser();
    const verifier = createVerifier({
      issuer: ISSUER,
      audience: WIKI_API,
      clientId: 'shop',
      jwksUri: `${idp.url}/jwks`,
    });

    // 1. The shop sends the browser to /authorize; the IdP asks for a password.
    const atShop = await signIn(browser, idp.url, {
      clientId: SHOP.clientId,
      redirectUri: SHOP.redirectUri,
      scope: 'openid profile email offline_access',
      username: 'alice',
      password: 'wonderland-alice',
    });
    expect(atShop.loginFormShown).toBe(true);
    expect(atShop.callback.origin + atShop.callback.pathname).toBe(SHOP.redirectUri);
    expect(atShop.callback.searchParams.get('state')).toBe(atShop.state);
    expect(atShop.callback.searchParams.get('iss')).toBe(ISSUER);

    // 2. The shop's server redeems the code.
    const shopTokens = await codeExchange(SHOP, atShop);
    expect(shopTokens.token_type).toBe('Bearer');
    expect(shopTokens.refresh_token).toEqual(expect.any(String));
    const access = await verifier.verifyAccessToken(shopTokens.access_token);
    const id = await verifier.verifyIdToken(shopTokens.id_token, { nonce: atShop.nonce });
    expect(access.preferred_username).toBe('alice');
    expect(access.roles).toEqual(['admin']);
    expect(id.sub).toBe(access.sub);
    expect(id.sid).toBe(access.sid);
    expect(id.at_hash).toEqual(expect.any(String));
    expect(id.auth_time).toEqual(expect.any(Number));

    // 3. Userinfo answers for the access token.
    const userinfo = await fetch(`${idp.url}/userinfo`, {
      headers: { Authorization: `Bearer ${shopTokens.access_token}` },
    });
    expect(userinfo.status).toBe(200);
    expect(await userinfo.json()).toMatchObject({ sub: access.sub, email: expect.any(String) });

    // 4. Refresh rotates: a new refresh token, a new access token in the same session.
    const refreshed = await token(SHOP, {
      grant_type: 'refresh_token',
      refresh_token: shopTokens.refresh_token!,
    });
    expect(refreshed.status).toBe(200);
    const shopRefresh = refreshed.body.refresh_token as string;
    expect(shopRefresh).not.toBe(shopTokens.refresh_token);
    const shopAccess = refreshed.body.access_token as string;
    expect((await verifier.verifyAccessToken(shopAccess)).sid).toBe(access.sid);

    // 5. Single sign-on: the wiki gets a code from the same browser without a password.
    const atWiki = await signIn(browser, idp.url, {
      clientId: WIKI.clientId,
      redirectUri: WIKI.redirectUri,
      scope: 'openid profile offline_access',
    });
    expect(atWiki.loginFormShown).toBe(false);
    const wikiTokens = await codeExchange(WIKI, atWiki);
    const wikiAccess = wikiTokens.access_token;

    // 6. An API in another process accepts both apps' tokens, checking them locally.
    expect(await api.statusFor(shopAccess)).toBe(200);
    expect(await api.statusFor(wikiAccess)).toBe(200);

    // 7. The shop logs the user out (RP-initiated logout with id_token_hint).
    const logoutUrl = new URL('/logout', idp.url);
    logoutUrl.searchParams.set('id_token_hint', shopTokens.id_token);
    logoutUrl.searchParams.set('post_logout_redirect_uri', SHOP.postLogout);
    logoutUrl.searchParams.set('state', 'after-logout');
    const logout = await browser.fetch(logoutUrl);
    const loggedOutAt = performance.now();
    expect(logout.status).toBeGreaterThanOrEqual(300);
    expect(logout.status).toBeLessThan(400);
    const back = new URL(logout.headers.get('location')!);
    expect(back.origin + back.pathname).toBe(SHOP.postLogout);
    expect(back.searchParams.get('state')).toBe('after-logout');

    // 8. Within 100 ms, the other process rejects both clients' tokens ...
    await waitFor(
      'the API to reject both tokens',
      async () =>
        (await api.statusFor(shopAccess)) === 401 && (await api.statusFor(wikiAccess)) === 401,
      { timeoutMs: 100, intervalMs: 2 },
    );
    expect(performance.now() - loggedOutAt).toBeLessThan(100);

    // ... the refresh tokens of both clients fail ...
    for (const [client, refreshToken] of [
      [SHOP, shopRefresh],
      [WIKI, wikiTokens.refresh_token!],
    ] as const) {
      const after = await token(client, {
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
      });
      expect(after.status).toBe(400);
      expect(after.body.error).toBe('invalid_grant');
    }

    // ... userinfo refuses the access token, and the browser must log in again.
    const userinfoAfter = await fetch(`${idp.url}/userinfo`, {
      headers: { Authorization: `Bearer ${shopAccess}` },
    });
    expect(userinfoAfter.status).toBe(401);
    const again = await signIn(browser, idp.url, {
      clientId: WIKI.clientId,
      redirectUri: WIKI.redirectUri,
      username: 'alice',
      password: 'wonderland-alice',
    });
    expect(again.loginFormShown).toBe(true);
  });

  it.skipIf(!postgres.available)(
    'the operator command revokes every session of a user, and the API sees it',
    async () => {
      const browser = createBrowser();
      const signedIn = await signIn(browser, idp.url, {
        clientId: WIKI.clientId,
        redirectUri: WIKI.redirectUri,
        username: 'bob',
        password: 'builder-bob',
      });
      const tokens = await codeExchange(WIKI, signedIn);
      expect(await api.statusFor(tokens.access_token)).toBe(200);

      const result = await runSessionsCommand(['revoke-user', 'bob'], {
        REDIS_URL: redis.url,
        ...databaseEnv(),
      });
      expect(result.code).toBe(0);
      await waitFor(
        'the API to reject the token',
        async () => (await api.statusFor(tokens.access_token)) === 401,
        {
          timeoutMs: 2_000,
          intervalMs: 5,
        },
      );
      const again = await signIn(browser, idp.url, {
        clientId: WIKI.clientId,
        redirectUri: WIKI.redirectUri,
        username: 'bob',
        password: 'builder-bob',
      });
      expect(again.loginFormShown).toBe(true);
    },
  );
});
