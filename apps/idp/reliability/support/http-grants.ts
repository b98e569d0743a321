import { basicAuth } from '../../src/test-support/test-idp.js';
import {
  createBrowser,
  signIn,
  type Browser,
  type SignInResult,
} from '../../src/test-support/browser.js';
import { SHOP } from './oauth-flows.js';

/** The grants over real HTTP against an IdP process, as a client application sends them. */
export { SHOP };
export const REPORTS_AUTH = basicAuth('reports', 'reports-demo-secret');
export const USERS = {
  alice: 'wonderland-alice',
  bob: 'builder-bob',
} as const;

export interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
}

export async function postToken(
  idpUrl: string,
  auth: string,
  params: Record<string, string>,
  signal?: AbortSignal,
): Promise<TokenAnswer> {
  const response = await fetch(`${idpUrl}/token`, {
    method: 'POST',
    headers: { Authorization: auth },
    body: new URLSearchParams(params),
    ...(signal && { signal }),
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status: response.status, body };
}

/** A `client_credentials` access token from the demo machine client. */
export async function machineToken(idpUrl: string, signal?: AbortSignal): Promise<string> {
  const answer = await postToken(
    idpUrl,
    REPORTS_AUTH,
    { grant_type: 'client_credentials' },
    signal,
  );
  if (answer.status !== 200) throw new Error(`client_credentials: ${answer.status}`);
  return answer.body.access_token as string;
}

export interface UserTokens {
  access_token: string;
  id_token: string;
  refresh_token: string;
}

/** An authorization code for the shop from a browser (logging in if it has no session). */
export async function shopCode(
  browser: Browser,
  idpUrl: string,
  username: keyof typeof USERS,
): Promise<SignInResult> {
  return signIn(browser, idpUrl, {
    clientId: SHOP.clientId,
    redirectUri: SHOP.redirectUri,
    scope: 'openid profile offline_access',
    username,
    password: USERS[username],
  });
}

export function redeemCode(
  idpUrl: string,
  code: { code: string; verifier: string },
  signal?: AbortSignal,
): Promise<TokenAnswer> {
  return postToken(
    idpUrl,
    SHOP.auth,
    {
      grant_type: 'authorization_code',
      code: code.code,
      redirect_uri: SHOP.redirectUri,
      code_verifier: code.verifier,
    },
    signal,
  );
}

export function refreshAt(idpUrl: string, refreshToken: string): Promise<TokenAnswer> {
  return postToken(idpUrl, SHOP.auth, {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
  });
}

/** Logs in at the IdP as `username` and redeems the code: a fresh session with its tokens. */
export async function userTokens(
  idpUrl: string,
  username: keyof typeof USERS,
  browser: Browser = createBrowser(),
): Promise<UserTokens & { browser: Browser }> {
  const answer = await redeemCode(idpUrl, await shopCode(browser, idpUrl, username));
  if (answer.status !== 200) throw new Error(`code redemption: ${answer.status}`);
  return { ...(answer.body as unknown as UserTokens), browser };
}

/** RP-initiated logout of the browser's session (revokes it everywhere). */
export async function logout(browser: Browser, idpUrl: string, idToken: string): Promise<number> {
  const url = new URL('/logout', idpUrl);
  url.searchParams.set('id_token_hint', idToken);
  url.searchParams.set('post_logout_redirect_uri', SHOP.postLogout);
  const response = await browser.fetch(url);
  await response.arrayBuffer();
  return response.status;
}
