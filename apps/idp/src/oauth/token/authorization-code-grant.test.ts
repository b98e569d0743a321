import { createHash } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { revocationKeys, storeKeys } from '@latchkey/protocol';
import { createVerifier } from '@latchkey/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../store/memory-store.js';
import {
  claimsOf,
  codeFor,
  ISSUER,
  oauthError,
  recordingStore,
  redeem,
  refresh,
  SHOP,
  signIn,
  SPA,
  WIKI,
  WIKI_API,
  withTestClients,
} from '../../test-support/grants.js';
import { basicAuth, startTestIdp, type TestIdp } from '../../test-support/test-idp.js';

let idp: TestIdp;
let store: ReturnType<typeof recordingStore>;
let clients: Awaited<ReturnType<typeof withTestClients>>;
let clock = Date.now();
beforeAll(async () => {
  clients = await withTestClients([
    {
      client_id: 'no-refresh',
      client_secret: 'no-refresh-secret-long-enough',
      grant_types: ['authorization_code'],
      redirect_uris: ['http://norefresh.localhost/cb'],
      resources: [WIKI_API],
    },
  ]);
  const now = () => clock;
  store = recordingStore(createMemoryStore({ now }));
  idp = await startTestIdp({ CLIENTS_FILE: clients.file }, store, { now });
});
afterAll(async () => {
  await idp.close();
  await clients.remove();
});

const refreshKeys = () =>
  store.written().filter((key) => key.startsWith(storeKeys.refreshFamily('')));

describe('POST /token, grant_type=authorization_code (RFC 6749 §4.1.3, RFC 7636, OIDC Core §3.1.3)', () => {
  it('OIDC 3.1.3.3: a code redeemed with its verifier returns access, ID and refresh tokens', async () => {
    clock = Date.now();
    const { user, session } = await signIn(idp, { username: 'alice' }, clock);
    const issued = await codeFor(idp.store, session, SHOP, {
      scope: ['openid', 'profile', 'email'],
      nonce: 'n-0S6_WzA2Mj',
    });
    const result = await redeem(idp, issued, SHOP);
    expect(result.status).toBe(200);
    expect(result.headers.get('cache-control')).toBe('no-store');
    expect(result.json).toMatchObject({
      token_type: 'Bearer',
      expires_in: 600,
      scope: 'openid profile email',
    });
    const accessToken = result.json.access_token as string;
    const idToken = result.json.id_token as string;
    expect(typeof result.json.refresh_token).toBe('string');

    // The SDK, as a resource server and as the relying party, accepts both.
    const verifier = createVerifier({
      issuer: ISSUER,
      audience: WIKI_API,
      clientId: SHOP.id,
      jwksUri: `${idp.url}/jwks`,
      now: () => clock,
    });
    const access = await verifier.verifyAccessToken(accessToken);
    expect(access).toMatchObject({
      sub: user.id,
      client_id: 'shop',
      sid: session.sid,
      auth_time: session.authTime,
      preferred_username: 'alice',
      roles: ['admin'],
      aud: SHOP.resources,
    });
    const id = await verifier.verifyIdToken(idToken, { nonce: 'n-0S6_WzA2Mj' });
    expect(id).toMatchObject({
      iss: ISSUER,
      sub: user.id,
      aud: 'shop',
      auth_time: session.authTime,
      sid: session.sid,
      nonce: 'n-0S6_WzA2Mj',
      preferred_username: 'alice',
      email: 'alice@example.test',
      email_verified: true,
    });

    // jose: RS256 by default, kid set, lifetime ID_TOKEN_TTL.
    const header = decodeProtectedHeader(idToken);
    expect(header).toMatchObject({ alg: 'RS256', kid: idp.keys.signingKey('RS256').kid });
    const { payload } = await jwtVerify(idToken, createRemoteJWKSet(new URL(`${idp.url}/jwks`)), {
      issuer: ISSUER,
      audience: 'shop',
      currentDate: new Date(clock),
    });
    expect(payload.exp! - payload.iat!).toBe(15 * 60);
  });

  it('OIDC 3.1.3.6: at_hash is the base64url left half of SHA-256 of the access token', async () => {
    const { session } = await signIn(idp, { username: 'athash' }, clock);
    const result = await redeem(idp, await codeFor(idp.store, session, SHOP), SHOP);
    const digest = createHash('sha256')
      .update(result.json.access_token as string)
      .digest();
    expect(claimsOf(result.json.id_token as string).at_hash).toBe(
      digest.subarray(0, 16).toString('base64url'),
    );
  });

  it('OIDC 5.4: without the profile and email scopes the ID token carries no such claims', async () => {
    const { session } = await signIn(idp, { username: 'minimal' }, clock);
    const result = await redeem(
      idp,
      await codeFor(idp.store, session, SHOP, { scope: ['openid'] }),
      SHOP,
    );
    const claims = claimsOf(result.json.id_token as string);
    expect(claims).not.toHaveProperty('email');
    expect(claims).not.toHaveProperty('preferred_username');
    expect(claims).not.toHaveProperty('nonce');
  });

  it('OIDC 3.1.3.3: without the openid scope there is no ID token (plain OAuth)', async () => {
    const { session } = await signIn(idp, { username: 'oauthonly' }, clock);
    const result = await redeem(
      idp,
      await codeFor(idp.store, session, SHOP, { scope: ['wiki:read'] }),
      SHOP,
    );
    expect(result.status).toBe(200);
    expect(result.json).not.toHaveProperty('id_token');
  });

  it('OAuth 2.1 2.1: a public client redeems with PKCE alone, and gets a refresh token only with offline_access', async () => {
    const { session } = await signIn(idp, { username: 'public' }, clock);
    const plain = await redeem(idp, await codeFor(idp.store, session, SPA), SPA);
    expect(plain.status).toBe(200);
    expect(plain.json).not.toHaveProperty('refresh_token');
    const offline = await redeem(
      idp,
      await codeFor(idp.store, session, SPA, { scope: ['openid', 'offline_access'] }),
      SPA,
    );
    expect(offline.status).toBe(200);
    expect(typeof offline.json.refresh_token).toBe('string');
  });

  it('a client whose grant_types lack refresh_token never gets one', async () => {
    const { session } = await signIn(idp, { username: 'norefresh' }, clock);
    const client = {
      id: 'no-refresh',
      redirectUri: 'http://norefresh.localhost/cb',
      resources: [WIKI_API],
      auth: basicAuth('no-refresh', 'no-refresh-secret-long-enough'),
    };
    const result = await redeem(
      idp,
      await codeFor(idp.store, session, client, { scope: ['openid', 'offline_access'] }),
      client,
    );
    expect(result.status).toBe(200);
    expect(result.json).not.toHaveProperty('refresh_token');
  });
});

describe('POST /token refuses bad authorization_code requests', () => {
  it('RFC 7636 4.6: a missing code_verifier → invalid_grant, and the code is not spent', async () => {
    const { session } = await signIn(idp, { username: 'pkce1' }, clock);
    const issued = await codeFor(idp.store, session, SHOP);
    expect(oauthError(await redeem(idp, issued, SHOP, { code_verifier: '' }))).toEqual({
      status: 400,
      error: 'invalid_grant',
    });
    expect((await redeem(idp, issued, SHOP)).status).toBe(200);
  });

  it('RFC 7636 4.6: a wrong code_verifier → invalid_grant', async () => {
    const { session } = await signIn(idp, { username: 'pkce2' }, clock);
    const issued = await codeFor(idp.store, session, SHOP);
    const wrong = `${issued.verifier.slice(0, -1)}${issued.verifier.endsWith('A') ? 'B' : 'A'}`;
    expect(oauthError(await redeem(idp, issued, SHOP, { code_verifier: wrong }))).toEqual({
      status: 400,
      error: 'invalid_grant',
    });
    expect(await idp.sessions.find(session.sid, clock)).not.toBeNull();
  });

  it('RFC 7636 4.1: a malformed code_verifier (too short, bad characters, too long) → invalid_request', async () => {
    const { session } = await signIn(idp, { username: 'pkce3' }, clock);
    const issued = await codeFor(idp.store, session, SHOP);
    for (const verifier of ['short', `${'a'.repeat(42)}!`, 'a'.repeat(129)]) {
      expect(oauthError(await redeem(idp, issued, SHOP, { code_verifier: verifier }))).toEqual({
        status: 400,
        error: 'invalid_request',
      });
    }
  });

  it('RFC 6749 4.1.3: a code issued to another client → invalid_grant; it is neither spent nor a replay', async () => {
    const { session } = await signIn(idp, { username: 'otherclient' }, clock);
    const issued = await codeFor(idp.store, session, SHOP);
    const stolen = await redeem(idp, issued, { ...WIKI, redirectUri: SHOP.redirectUri });
    expect(oauthError(stolen)).toEqual({ status: 400, error: 'invalid_grant' });
    expect(await idp.sessions.find(session.sid, clock)).not.toBeNull();
    expect((await redeem(idp, issued, SHOP)).status).toBe(200);
  });

  it('RFC 6749 4.1.3: a redirect_uri that differs from the authorization request, or is missing → invalid_grant', async () => {
    const { session } = await signIn(idp, { username: 'redirect' }, clock);
    const issued = await codeFor(idp.store, session, SHOP);
    for (const redirectUri of ['http://shop.localhost:3001/auth/callback/', '']) {
      expect(oauthError(await redeem(idp, issued, SHOP, { redirect_uri: redirectUri }))).toEqual({
        status: 400,
        error: 'invalid_grant',
      });
    }
  });

  it('RFC 6749 4.1.2: an expired code (older than 60 s) → invalid_grant', async () => {
    const { session } = await signIn(idp, { username: 'expired' }, clock);
    const issued = await codeFor(idp.store, session, SHOP);
    clock += 61_000;
    try {
      expect(oauthError(await redeem(idp, issued, SHOP))).toEqual({
        status: 400,
        error: 'invalid_grant',
      });
    } finally {
      clock -= 61_000;
    }
  });

  it('RFC 6749 4.1.2: a replayed code fails and revokes the session it issued, with its tokens', async () => {
    const { session } = await signIn(idp, { username: 'replay' }, clock);
    const issued = await codeFor(idp.store, session, SHOP);
    const first = await redeem(idp, issued, SHOP);
    expect(first.status).toBe(200);

    expect(oauthError(await redeem(idp, issued, SHOP))).toEqual({
      status: 400,
      error: 'invalid_grant',
    });
    expect(await idp.sessions.find(session.sid, clock)).toBeNull();
    const revoked = await idp.store.setMembers(revocationKeys.set);
    expect(revoked.has(`sid:${session.sid}`)).toBe(true);
    // What the first use issued is dead: the refresh token and, at the IdP, the access token.
    expect(oauthError(await refresh(idp, first.json.refresh_token as string, SHOP))).toEqual({
      status: 400,
      error: 'invalid_grant',
    });
    const userinfo = await fetch(`${idp.url}/userinfo`, {
      headers: { Authorization: `Bearer ${first.json.access_token as string}` },
    });
    expect(userinfo.status).toBe(401);
  });

  it('a logout between code and token ends the grant → invalid_grant, and no refresh family is written', async () => {
    const { session } = await signIn(idp, { username: 'loggedout' }, clock);
    const issued = await codeFor(idp.store, session, SHOP);
    await idp.revoker.revokeSession(session, 'logout');
    const before = refreshKeys().length;
    expect(oauthError(await redeem(idp, issued, SHOP))).toEqual({
      status: 400,
      error: 'invalid_grant',
    });
    expect(refreshKeys().length).toBe(before);
  });

  it('failed redemptions write no refresh family', async () => {
    const { session } = await signIn(idp, { username: 'nofamily' }, clock);
    const issued = await codeFor(idp.store, session, SHOP);
    const before = refreshKeys().length;
    await redeem(idp, issued, SHOP, { code_verifier: '' });
    await redeem(idp, issued, WIKI);
    await redeem(idp, issued, SHOP, { redirect_uri: 'http://evil.localhost/' });
    expect(refreshKeys().length).toBe(before);
  });

  it('RFC 6749 5.2: a client not registered for the grant → unauthorized_client', async () => {
    const { session } = await signIn(idp, { username: 'machine' }, clock);
    const issued = await codeFor(idp.store, session, SHOP);
    const result = await redeem(idp, issued, {
      ...SHOP,
      auth: basicAuth('reports', 'reports-demo-secret'),
    });
    expect(oauthError(result)).toEqual({ status: 400, error: 'unauthorized_client' });
  });

  it('RFC 6749 5.2: a missing code → invalid_request; an unknown or malformed one → invalid_grant', async () => {
    const { session } = await signIn(idp, { username: 'nocode' }, clock);
    const issued = await codeFor(idp.store, session, SHOP);
    expect(oauthError(await redeem(idp, issued, SHOP, { code: '' }))).toEqual({
      status: 400,
      error: 'invalid_request',
    });
    for (const code of ['x', 'A'.repeat(43), `${issued.code}x`]) {
      expect(oauthError(await redeem(idp, issued, SHOP, { code }))).toEqual({
        status: 400,
        error: 'invalid_grant',
      });
    }
  });

  it('an over-long parameter → invalid_request', async () => {
    const { session } = await signIn(idp, { username: 'overlong' }, clock);
    const issued = await codeFor(idp.store, session, SHOP);
    expect(oauthError(await redeem(idp, issued, SHOP, { code: 'a'.repeat(5000) }))).toEqual({
      status: 400,
      error: 'invalid_request',
    });
  });

  it('RFC 6749 2.3: a confidential client without its secret → invalid_client', async () => {
    const { session } = await signIn(idp, { username: 'nosecret' }, clock);
    const issued = await codeFor(idp.store, session, SHOP);
    const result = await redeem(idp, issued, { id: 'shop', redirectUri: SHOP.redirectUri });
    expect(oauthError(result)).toEqual({ status: 401, error: 'invalid_client' });
  });
});
