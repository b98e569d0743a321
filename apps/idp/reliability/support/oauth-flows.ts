import { createBrowser, signIn, type Browser } from '../../src/test-support/browser.js';
import { basicAuth, form } from '../../src/test-support/test-idp.js';

/** The demo data the reliability tests sign in with (apps/idp/demo). */
export const ISSUER = 'http://idp.localhost:4000';
export const WIKI_API = 'http://wiki.localhost:3002/api';
export const SHOP = {
  clientId: 'shop',
  auth: basicAuth('shop', 'shop-demo-secret'),
  redirectUri: 'http://shop.localhost:3001/auth/callback',
  postLogout: 'http://shop.localhost:3001/',
};
export const ALICE = { username: 'alice', password: 'wonderland-alice' };
export const BOB = { username: 'bob', password: 'builder-bob' };

export interface Answer {
  status: number;
  /** The body as JSON when it is JSON, else null. */
  json: Record<string, unknown> | null;
  contentType: string;
  /** Milliseconds from sending the request to having read the whole answer. */
  ms: number;
  /** The Retry-After header in seconds, or null when absent. */
  retryAfter: number | null;
}

/** Sends a request (cookies and all when a browser is given) and times it to the last byte. */
export async function timedFetch(
  url: string | URL,
  init: RequestInit = {},
  browser?: Browser,
): Promise<Answer> {
  const started = performance.now();
  const response = browser
    ? await browser.fetch(url, init)
    : await fetch(url, { ...init, redirect: 'manual' });
  const text = await response.text();
  const ms = performance.now() - started;
  const contentType = response.headers.get('content-type') ?? '';
  const retryAfter = response.headers.get('retry-after');
  let json: Record<string, unknown> | null = null;
  if (contentType.includes('json')) json = JSON.parse(text) as Record<string, unknown>;
  return {
    status: response.status,
    json,
    contentType,
    ms,
    retryAfter: retryAfter === null ? null : Number(retryAfter),
  };
}

/** POST /token as the shop (client_secret_basic). */
export function tokenRequest(idpUrl: string, params: Record<string, string>): Promise<Answer> {
  return timedFetch(`${idpUrl}/token`, {
    method: 'POST',
    headers: { Authorization: SHOP.auth },
    body: form(params),
  });
}

export interface Tokens {
  access_token: string;
  id_token: string;
  refresh_token: string;
}

export interface SignedIn {
  browser: Browser;
  code: string;
  verifier: string;
}

/** The browser side of a sign-in at the shop: authorize → login → code (not yet redeemed). */
export async function browserSignIn(
  idpUrl: string,
  user: { username: string; password: string } = ALICE,
  browser: Browser = createBrowser(),
): Promise<SignedIn> {
  const result = await signIn(browser, idpUrl, {
    clientId: SHOP.clientId,
    redirectUri: SHOP.redirectUri,
    scope: 'openid profile email offline_access',
    extra: { resource: WIKI_API },
    ...user,
  });
  return { browser, code: result.code, verifier: result.verifier };
}

export function redeemCode(idpUrl: string, signedIn: SignedIn): Promise<Answer> {
  return tokenRequest(idpUrl, {
    grant_type: 'authorization_code',
    code: signedIn.code,
    redirect_uri: SHOP.redirectUri,
    code_verifier: signedIn.verifier,
  });
}

export function refresh(idpUrl: string, refreshToken: string): Promise<Answer> {
  return tokenRequest(idpUrl, { grant_type: 'refresh_token', refresh_token: refreshToken });
}

/** A whole sign-in: the browser flow, then the code redeemed. Throws unless every step worked. */
export async function fullSignIn(
  idpUrl: string,
  user: { username: string; password: string } = ALICE,
): Promise<SignedIn & { tokens: Tokens }> {
  const signedIn = await browserSignIn(idpUrl, user);
  const answer = await redeemCode(idpUrl, signedIn);
  if (answer.status !== 200) throw new Error(`code redemption answered ${answer.status}`);
  return { ...signedIn, tokens: answer.json as unknown as Tokens };
}

/** The claims of a JWT, unverified (the tests only need `sid`). */
export function jwtClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >;
}
