import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrowser, loginFormFields, type Browser } from './test-support/browser.js';
import { claimsOf, withTestClients } from './test-support/grants.js';
import { startTestIdp, type TestIdp } from './test-support/test-idp.js';

/**
 * Interoperability with a certified relying-party library: openid-client does discovery,
 * PKCE, state, `iss` (RFC 9207) and ID-token validation by its own reading of the specs; we
 * only play the browser. The issuer keeps its public name (`idp.localhost`), which servers do
 * not resolve, so requests to it are sent to the test IdP's loopback address instead, as the
 * browser tests' host-resolver rule does.
 */

const ISSUER = 'http://idp.localhost:4000';

let idp: TestIdp;
let clients: Awaited<ReturnType<typeof withTestClients>>;

beforeAll(async () => {
  clients = await withTestClients();
  idp = await startTestIdp({ CLIENTS_FILE: clients.file });
});
afterAll(async () => {
  await idp?.close();
  await clients?.remove();
});

/** `issuer` URL → the listening test IdP. */
const toIdp = (url: string | URL): URL => {
  const mapped = new URL(url);
  if (mapped.origin === ISSUER) {
    const actual = new URL(idp.url);
    mapped.protocol = actual.protocol;
    mapped.host = actual.host;
  }
  return mapped;
};

const mappedFetch: oidc.CustomFetch = (url, options) => fetch(toIdp(url), options);

async function discover(clientId: string, auth: oidc.ClientAuth): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(ISSUER), clientId, undefined, auth, {
    [oidc.customFetch]: mappedFetch,
    // The test IdP speaks plain http on loopback; production issuers are https.
    execute: [oidc.allowInsecureRequests],
  });
}

/**
 * Plays the browser: follows the authorization URL through the login form (when the IdP shows
 * one) to the callback, and notes whether it did.
 */
async function browse(
  browser: Browser,
  authorizationUrl: URL,
): Promise<{ callback: URL; loginFormShown: boolean }> {
  let response = await browser.fetch(toIdp(authorizationUrl));
  let location = new URL(response.headers.get('location')!, ISSUER);
  if (location.pathname === '/login') {
    const page = await browser.fetch(toIdp(location));
    const fields = loginFormFields(await page.text());
    response = await browser.post(toIdp(new URL('/login', ISSUER)), {
      ...fields,
      username: 'alice',
      password: 'wonderland-alice',
    });
    location = new URL(response.headers.get('location')!, ISSUER);
    return { callback: location, loginFormShown: true };
  }
  return { callback: location, loginFormShown: false };
}

async function authorize(
  config: oidc.Configuration,
  browser: Browser,
  redirectUri: string,
  scope: string,
  options: oidc.DPoPOptions = {},
): Promise<{ tokens: Tokens; loginFormShown: boolean }> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const { callback, loginFormShown } = await browse(browser, url);
  const tokens = await oidc.authorizationCodeGrant(
    config,
    callback,
    {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    },
    undefined,
    options,
  );
  return { tokens, loginFormShown };
}

type Tokens = oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;

/**
 * For the RFC 9449 §10 tests: the public SPA client, two DPoP keys (the one the code is bound
 * to and another), a PKCE request, and `redeem`, which takes the callback and a key (or none).
 */
async function dpopBinding() {
  const spa = await discover('spa', oidc.None());
  const dpop = oidc.getDPoPHandle(spa, await oidc.randomDPoPKeyPair('ES256'));
  const other = oidc.getDPoPHandle(spa, await oidc.randomDPoPKeyPair('ES256'));
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const request = {
    redirect_uri: 'http://spa.localhost:3003/callback',
    scope: 'openid',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  };
  const redeem = (callback: URL, options: oidc.DPoPOptions) =>
    oidc.authorizationCodeGrant(
      spa,
      callback,
      { pkceCodeVerifier: verifier, expectedState: state },
      undefined,
      options,
    );
  return { spa, dpop, other, request, redeem };
}

describe('openid-client (a certified relying party) against the IdP', () => {
  it('discovers the IdP and finds the endpoints and methods it relies on', async () => {
    const config = await discover('shop', oidc.ClientSecretBasic('shop-demo-secret'));
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(ISSUER);
    expect(metadata.supportsPKCE()).toBe(true);
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
  });

  it('a confidential client: code flow with PKCE, ID token, userinfo, refresh, introspection, revocation, logout', async () => {
    const config = await discover('shop', oidc.ClientSecretBasic('shop-demo-secret'));
    const browser = createBrowser();
    const { tokens, loginFormShown } = await authorize(
      config,
      browser,
      'http://shop.localhost:3001/auth/callback',
      'openid profile email offline_access',
    );
    expect(loginFormShown).toBe(true);
    const claims = tokens.claims()!;
    expect(claims.iss).toBe(ISSUER);
    expect(claims.aud).toBe('shop');
    expect(claims.sid).toEqual(expect.any(String));

    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(userinfo).toMatchObject({ sub: claims.sub, preferred_username: 'alice' });

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    // OIDC Core §12.2: no new ID token on refresh (the default); the RP keeps the login's.
    expect(refreshed.id_token).toBeUndefined();
    expect(refreshed.claims()).toBeUndefined();

    const introspection = await oidc.tokenIntrospection(config, refreshed.access_token);
    expect(introspection).toMatchObject({ active: true, sub: claims.sub, client_id: 'shop' });

    await oidc.tokenRevocation(config, refreshed.refresh_token!);
    await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });

    const logout = oidc.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: 'http://shop.localhost:3001/',
      state: 'bye',
    });
    const response = await browser.fetch(toIdp(logout));
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('http://shop.localhost:3001/?state=bye');
    expect(await oidc.tokenIntrospection(config, refreshed.access_token)).toMatchObject({
      active: false,
    });
  });

  it('a public client (no secret, PKCE only) signs in through the same session without a password', async () => {
    const shop = await discover('shop', oidc.ClientSecretBasic('shop-demo-secret'));
    const spa = await discover('spa', oidc.None());
    const browser = createBrowser();
    const { tokens: first } = await authorize(
      shop,
      browser,
      'http://shop.localhost:3001/auth/callback',
      'openid',
    );
    const { tokens: second, loginFormShown } = await authorize(
      spa,
      browser,
      'http://spa.localhost:3003/callback',
      'openid profile',
    );
    expect(loginFormShown).toBe(false);
    expect(second.claims()?.sub).toBe(first.claims()?.sub);
    expect(second.claims()?.sid).toBe(first.claims()?.sid);
    expect(second.claims()?.aud).toBe('spa');
  });

  it('RFC 9449: a public client with DPoP completes the code flow, userinfo and refresh', async () => {
    const spa = await discover('spa', oidc.None());
    expect(spa.serverMetadata().dpop_signing_alg_values_supported).toContain('ES256');
    const dpop = oidc.getDPoPHandle(spa, await oidc.randomDPoPKeyPair('ES256'));
    const { tokens } = await authorize(
      spa,
      createBrowser(),
      'http://spa.localhost:3003/callback',
      'openid profile offline_access',
      { DPoP: dpop },
    );
    expect(tokens.token_type).toBe('dpop');
    const jkt = (claimsOf(tokens.access_token).cnf as { jkt: string }).jkt;
    expect(jkt).toEqual(expect.any(String));
    const sub = tokens.claims()!.sub;

    const userinfo = await oidc.fetchUserInfo(spa, tokens.access_token, sub, { DPoP: dpop });
    expect(userinfo).toMatchObject({ sub, preferred_username: 'alice' });
    // RFC 9449 §7.2: the same token without its proof is refused.
    await expect(oidc.fetchUserInfo(spa, tokens.access_token, sub)).rejects.toThrow();

    const refreshed = await oidc.refreshTokenGrant(spa, tokens.refresh_token!, undefined, {
      DPoP: dpop,
    });
    expect(refreshed.token_type).toBe('dpop');
    expect(claimsOf(refreshed.access_token).cnf).toEqual({ jkt });
    // The public client's refresh token is bound to the key: without the proof it is refused.
    await expect(oidc.refreshTokenGrant(spa, refreshed.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });
  it('RFC 9126: a pushed authorization request (buildAuthorizationUrlWithPAR) completes the code flow', async () => {
    const config = await discover('shop', oidc.ClientSecretBasic('shop-demo-secret'));
    expect(config.serverMetadata().pushed_authorization_request_endpoint).toBe(`${ISSUER}/par`);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = await oidc.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: 'http://shop.localhost:3001/auth/callback',
      scope: 'openid profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    // Only the client and the reference travel through the browser (RFC 9126 §4).
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    const browser = createBrowser();
    const { callback, loginFormShown } = await browse(browser, url);
    expect(loginFormShown).toBe(true);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    expect(tokens.claims()).toMatchObject({ iss: ISSUER, aud: 'shop' });

    // The same request_uri a second time is refused (single use).
    const again = await browser.fetch(toIdp(url));
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('invalid_request_uri');
  });

  it('RFC 8252 §7.3: a native client (the demo cli) signs in on a loopback port it picked', async () => {
    const cli = await discover('cli', oidc.None());
    // Any port: the registration says http://127.0.0.1/callback.
    const port = 49152 + Math.floor(Math.random() * 16000);
    const { tokens } = await authorize(
      cli,
      createBrowser(),
      `http://127.0.0.1:${port}/callback`,
      'openid offline_access',
    );
    expect(tokens.claims()?.aud).toBe('cli');
    expect(tokens.refresh_token).toBeTruthy();
  });

  it('RFC 9449 §10: dpop_jkt binds the code; a proof by another key, or none, cannot redeem it', async () => {
    const { spa, dpop, other, request, redeem } = await dpopBinding();
    const url = oidc.buildAuthorizationUrl(spa, {
      ...request,
      dpop_jkt: await dpop.calculateThumbprint(),
    });
    const { callback } = await browse(createBrowser(), url);
    await expect(redeem(callback, { DPoP: other })).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    await expect(redeem(callback, {})).rejects.toMatchObject({ error: 'invalid_grant' });
    // The refusals did not spend the code: its holder of the named key still redeems it.
    const tokens = await redeem(callback, { DPoP: dpop });
    expect(claimsOf(tokens.access_token).cnf).toEqual({ jkt: await dpop.calculateThumbprint() });
  });

  it('RFC 9449 §10.1: a DPoP proof sent with a pushed request binds the code to its key', async () => {
    const { spa, dpop, other, request, redeem } = await dpopBinding();
    // Both mechanisms at once must name the same key.
    await expect(
      oidc.buildAuthorizationUrlWithPAR(
        spa,
        { ...request, dpop_jkt: await other.calculateThumbprint() },
        { DPoP: dpop },
      ),
    ).rejects.toMatchObject({ error: 'invalid_dpop_proof' });
    // A dpop_jkt that is no thumbprint at all.
    await expect(
      oidc.buildAuthorizationUrlWithPAR(spa, { ...request, dpop_jkt: 'not-a-thumbprint' }),
    ).rejects.toMatchObject({ error: 'invalid_request' });

    const url = await oidc.buildAuthorizationUrlWithPAR(spa, request, { DPoP: dpop });
    const { callback } = await browse(createBrowser(), url);
    await expect(redeem(callback, { DPoP: other })).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    const tokens = await redeem(callback, { DPoP: dpop });
    expect(tokens.token_type).toBe('dpop');
  });

  it('RFC 9126 2.3: a pushed request the IdP refuses reaches openid-client as an OAuth error', async () => {
    const config = await discover('shop', oidc.ClientSecretBasic('shop-demo-secret'));
    await expect(
      oidc.buildAuthorizationUrlWithPAR(config, {
        redirect_uri: 'https://attacker.example/callback',
        scope: 'openid',
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      }),
    ).rejects.toMatchObject({ error: 'invalid_request' });
  });
});
