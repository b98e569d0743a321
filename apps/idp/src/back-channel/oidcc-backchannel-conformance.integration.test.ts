import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { BACKCHANNEL_LOGOUT_EVENT, LOGOUT_TOKEN_TYP } from '@latchkey/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeUrl, createBrowser, signIn } from '../test-support/browser.js';
import { claimsOf, ISSUER, redeem, WIKI, type IssuedCode } from '../test-support/grants.js';
import {
  backChannelClientsFile,
  startLogoutReceiver,
  type LogoutReceiver,
} from '../test-support/logout-receiver.js';
import { freshTestDatabase } from '../test-support/test-database.js';
import { startTestIdp, type TestIdp } from '../test-support/test-idp.js';
import { LOGOUT_TOKEN_TTL_SEC } from './logout-token.js';

/**
 * Our own run of the OpenID Foundation's Back-Channel Logout OP certification plan
 * (`oidcc-backchannel-rp-initiated-logout-certification-test-plan`): one describe per test
 * module, one test per check it makes, named after the module and the spec section
 * (OIDCBCL = Back-Channel Logout 1.0, OIDCRIL = RP-Initiated Logout 1.0). The client is the
 * demo wiki registered, as the plan does, with a backchannel_logout_uri and
 * backchannel_logout_session_required = true; its endpoint is a loopback receiver.
 */
let receiver: LogoutReceiver;
let clients: { file: string; remove: () => Promise<void> };
let idp: TestIdp;

beforeAll(async () => {
  receiver = await startLogoutReceiver();
  clients = await backChannelClientsFile(receiver.url);
  idp = await startTestIdp({ CLIENTS_FILE: clients.file }, undefined, {
    database: await freshTestDatabase(),
  });
}, 60_000);
afterAll(async () => {
  await idp?.close();
  await receiver?.close();
  await clients?.remove();
});

describe('oidcc-backchannel-logout-discovery-endpoint-verification', () => {
  let metadata: Record<string, unknown>;
  beforeAll(async () => {
    const answer = await fetch(`${idp.url}/.well-known/openid-configuration`);
    metadata = (await answer.json()) as Record<string, unknown>;
  });

  it('CheckDiscEndpointBackchannelLogoutSupported (OIDCBCL-2.1): backchannel_logout_supported is true', () => {
    expect(metadata.backchannel_logout_supported).toBe(true);
  });

  it('CheckDiscEndpointBackchannelLogoutSessionSupported (OIDCBCL-2.1): backchannel_logout_session_supported is true', () => {
    expect(metadata.backchannel_logout_session_supported).toBe(true);
  });

  it('CheckDiscEndSessionEndpoint (OIDCBCL-3, OIDCRIL-2.1): end_session_endpoint is given', () => {
    expect(metadata.end_session_endpoint).toBe(`${ISSUER}/logout`);
  });

  it('CheckDiscEndpointAllEndpointsAreHttps: every endpoint is under the issuer (https whenever the issuer is, as production requires)', () => {
    const endpoints = Object.entries(metadata).filter(
      ([name, value]) => /_(endpoint|uri)$/.test(name) && typeof value === 'string',
    );
    expect(endpoints.length).toBeGreaterThan(5);
    for (const [, value] of endpoints) expect(value as string).toMatch(new RegExp(`^${ISSUER}/`));
  });
});

describe('oidcc-backchannel-rp-initiated-logout', () => {
  const browser = createBrowser();
  let idToken: Record<string, unknown>;
  let logoutAnswer: Response;
  let request: (typeof receiver.received)[number];
  let token: string;

  beforeAll(async () => {
    const result = await signIn(browser, idp.url, {
      clientId: WIKI.id,
      redirectUri: WIKI.redirectUri,
      username: 'alice',
      password: 'wonderland-alice',
    });
    const answer = await redeem(idp, result as unknown as IssuedCode, WIKI);
    expect(answer.status, answer.text).toBe(200);
    const raw = answer.json.id_token as string;
    idToken = claimsOf(raw);
    const params = new URLSearchParams({
      id_token_hint: raw,
      post_logout_redirect_uri: 'http://wiki.localhost:3002/',
      state: 'conformance-state',
    });
    logoutAnswer = await browser.fetch(`${idp.url}/logout?${params.toString()}`);
    receiver.received.length = 0;
    while ((await idp.deliveries.worker.runOnce()) > 0);
    const received = receiver.received.filter(({ path }) => path === '/wiki');
    expect(received).toHaveLength(1);
    request = received[0]!;
    token = request.token!;
  });

  it('CheckPostLogoutState (OIDCRIL-2): the user is sent to post_logout_redirect_uri with state', () => {
    expect(logoutAnswer.status).toBe(303);
    expect(logoutAnswer.headers.get('location')).toBe(
      'http://wiki.localhost:3002/?state=conformance-state',
    );
  });

  it('ExtractLogoutTokenFromBackchannelLogoutRequest (OIDCBCL-2.5): a form POST carrying logout_token', () => {
    expect(request.contentType).toBe('application/x-www-form-urlencoded');
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('CheckForUnexpectedParametersInBackchannelLogoutRequest (OIDCBCL-2.5): no other parameter', () => {
    expect(request.parameters).toEqual(['logout_token']);
  });

  it('ValidateLogoutTokenSignature (OIDCBCL-2.4): signed with the key and alg of the client’s ID tokens, typ logout+jwt', async () => {
    const header = decodeProtectedHeader(token);
    expect(header).toMatchObject({ alg: 'RS256', typ: LOGOUT_TOKEN_TYP });
    const keys = createRemoteJWKSet(new URL(`${idp.url}/jwks`));
    await expect(
      jwtVerify(token, keys, {
        issuer: ISSUER,
        audience: WIKI.id,
        algorithms: ['RS256'],
        typ: LOGOUT_TOKEN_TYP,
      }),
    ).resolves.toBeTruthy();
  });

  it('ValidateLogoutTokenClaims (OIDCBCL-2.4): iss, aud, iat, exp at most 2 minutes on, jti, events', () => {
    const claims = claimsOf(token);
    expect(claims.iss).toBe(ISSUER);
    expect(claims.aud).toBe(WIKI.id);
    const now = Math.floor(Date.now() / 1000);
    expect(claims.iat as number).toBeLessThanOrEqual(now);
    expect(claims.iat as number).toBeGreaterThan(now - 60);
    expect((claims.exp as number) - (claims.iat as number)).toBe(LOGOUT_TOKEN_TTL_SEC);
    expect(LOGOUT_TOKEN_TTL_SEC).toBeLessThanOrEqual(120);
    expect(claims.jti).toMatch(/^[\w-]{16,}$/);
    expect(claims.events).toEqual({ [BACKCHANNEL_LOGOUT_EVENT]: {} });
  });

  it('CheckIdTokenSubMatchesLogoutToken (OIDCBCL-2.4): sub is the ID token’s', () => {
    expect(claimsOf(token).sub).toBe(idToken.sub);
  });

  it('CheckIdTokenSidMatchesLogoutToken (OIDCBCL-2.4): sid is the ID token’s (session required)', () => {
    expect(claimsOf(token).sid).toBe(idToken.sid);
  });

  it('CheckLogoutTokenNoNonce (OIDCBCL-2.4): no nonce, though the ID token had one', () => {
    expect(idToken.nonce).toBeDefined();
    expect(claimsOf(token)).not.toHaveProperty('nonce');
  });

  it('CheckLogoutTokenHasSubOrSid (OIDCBCL-2.4): sub or sid present', () => {
    const claims = claimsOf(token);
    expect(claims.sub !== undefined || claims.sid !== undefined).toBe(true);
  });

  it('then prompt=none fails with login_required: the user was logged out (OIDCBCL-2.7, OIDCC-3.1.2.6)', async () => {
    const { url } = authorizeUrl(idp.url, {
      clientId: WIKI.id,
      redirectUri: WIKI.redirectUri,
      extra: { prompt: 'none' },
    });
    const answer = await browser.fetch(url);
    expect(answer.status).toBe(303);
    const location = new URL(answer.headers.get('location')!);
    expect(location.searchParams.get('error')).toBe('login_required');
  });
});
