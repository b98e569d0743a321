import { revocationKeys } from '@latchkey/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claimsOf,
  oauthError,
  post,
  refresh,
  SHOP,
  signInToShop,
  WIKI,
  withTestClients,
} from '../../test-support/grants.js';
import { basicAuth, startClockedTestIdp, type TestIdp } from '../../test-support/test-idp.js';

/** A confidential client that asks for an ID token in every refresh answer. */
const FRESH_ID = {
  id: 'fresh-id',
  auth: basicAuth('fresh-id', 'fresh-id-secret-for-tests'),
  redirectUri: 'http://fresh.localhost:3006/callback',
  resources: ['http://wiki.localhost:3002/api'],
};

let idp: TestIdp;
let clock = Date.now();
let removeClients: () => Promise<void>;
beforeAll(async () => {
  const clients = await withTestClients([
    {
      client_id: FRESH_ID.id,
      client_secret: 'fresh-id-secret-for-tests',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: [FRESH_ID.redirectUri],
      scope: 'openid profile wiki:read',
      resources: FRESH_ID.resources,
      id_token_on_refresh: true,
    },
  ]);
  removeClients = clients.remove;
  idp = await startClockedTestIdp(() => clock, { CLIENTS_FILE: clients.file });
});
afterAll(async () => {
  await idp.close();
  await removeClients();
});

const loggedIn = (username: string, scope = ['openid', 'profile', 'wiki:read']) =>
  signInToShop(idp, username, { nowMs: clock, scope, nonce: 'nonce-1' });

describe('POST /token, grant_type=refresh_token (RFC 6749 §6, OAuth 2.1 §4.3)', () => {
  it('OAuth 2.1 4.3.1: every use rotates the refresh token and returns a new access token', async () => {
    const { tokens } = await loggedIn('rotate');
    const result = await refresh(idp, tokens.refresh_token!, SHOP);
    expect(result.status).toBe(200);
    expect(result.headers.get('cache-control')).toBe('no-store');
    expect(result.json.refresh_token).not.toBe(tokens.refresh_token);
    expect(result.json.access_token).not.toBe(tokens.access_token);
    expect(result.json.scope).toBe('openid profile wiki:read');
    // OIDC Core 12.2: the answer "might not contain an id_token"; by default it does not.
    expect(result.json).not.toHaveProperty('id_token');
    // And the new one works in turn.
    expect((await refresh(idp, result.json.refresh_token as string, SHOP)).status).toBe(200);
  });

  it('OIDC Core 12.2: a client registered with id_token_on_refresh gets an ID token of the same authentication, without nonce', async () => {
    const { session, tokens } = await signInToShop(idp, 'refresh-id', {
      nowMs: clock,
      scope: ['openid', 'profile', 'wiki:read'],
      nonce: 'nonce-1',
      client: FRESH_ID,
    });
    const result = await refresh(idp, tokens.refresh_token!, FRESH_ID);
    expect(result.status).toBe(200);
    const id = claimsOf(result.json.id_token as string);
    expect(id).toMatchObject({ sid: session.sid, auth_time: session.authTime, aud: FRESH_ID.id });
    expect(id).not.toHaveProperty('nonce');
  });

  it('OAuth 2.1 4.3.1: a reused refresh token fails and revokes the whole session', async () => {
    const { session, tokens } = await loggedIn('reuse');
    const rotated = await refresh(idp, tokens.refresh_token!, SHOP);
    expect(rotated.status).toBe(200);

    expect(oauthError(await refresh(idp, tokens.refresh_token!, SHOP))).toEqual({
      status: 400,
      error: 'invalid_grant',
    });
    expect(await idp.sessions.find(session.sid, clock)).toBeNull();
    expect((await idp.store.setMembers(revocationKeys.set)).has(`sid:${session.sid}`)).toBe(true);
    // The legitimate holder's newer token dies with the family.
    expect(oauthError(await refresh(idp, rotated.json.refresh_token as string, SHOP))).toEqual({
      status: 400,
      error: 'invalid_grant',
    });
  });

  it("RFC 6749 6: another client's refresh token → invalid_grant, and it stays valid for its owner", async () => {
    const { session, tokens } = await loggedIn('stolen');
    expect(oauthError(await refresh(idp, tokens.refresh_token!, WIKI))).toEqual({
      status: 400,
      error: 'invalid_grant',
    });
    expect(await idp.sessions.find(session.sid, clock)).not.toBeNull();
    expect((await refresh(idp, tokens.refresh_token!, SHOP)).status).toBe(200);
  });

  it('RFC 6749 6: scope may narrow for one access token, never widen; the grant keeps its scope', async () => {
    const { tokens } = await loggedIn('narrow');
    const narrowed = await refresh(idp, tokens.refresh_token!, SHOP, { scope: 'openid' });
    expect(narrowed.status).toBe(200);
    expect(narrowed.json.scope).toBe('openid');
    expect(claimsOf(narrowed.json.access_token as string).scope).toBe('openid');

    const widened = await refresh(idp, narrowed.json.refresh_token as string, SHOP, {
      scope: 'openid email',
    });
    expect(oauthError(widened)).toEqual({ status: 400, error: 'invalid_scope' });
    const full = await refresh(idp, narrowed.json.refresh_token as string, SHOP);
    expect(full.json.scope).toBe('openid profile wiki:read');
  });

  it('RFC 8707 2: resource may narrow the audience to one of the grant, never add one', async () => {
    const { tokens } = await loggedIn('resource');
    const narrowed = await refresh(idp, tokens.refresh_token!, SHOP, {
      resource: 'http://wiki.localhost:3002/api',
    });
    expect(claimsOf(narrowed.json.access_token as string).aud).toBe(
      'http://wiki.localhost:3002/api',
    );
    const other = await refresh(idp, narrowed.json.refresh_token as string, SHOP, {
      resource: 'http://evil.localhost/api',
    });
    expect(oauthError(other)).toEqual({ status: 400, error: 'invalid_target' });
  });

  it('a logged-out session ends its refresh tokens → invalid_grant', async () => {
    const { session, tokens } = await loggedIn('logout');
    await idp.revoker.revokeSession(session, 'logout');
    expect(oauthError(await refresh(idp, tokens.refresh_token!, SHOP))).toEqual({
      status: 400,
      error: 'invalid_grant',
    });
  });

  it('refreshing counts as session activity (the idle limit moves)', async () => {
    const { session, tokens } = await loggedIn('activity');
    clock += 5 * 60_000;
    try {
      expect((await refresh(idp, tokens.refresh_token!, SHOP)).status).toBe(200);
      expect((await idp.sessions.find(session.sid, clock))?.lastSeenAt).toBe(clock);
    } finally {
      clock -= 5 * 60_000;
    }
  });

  it('a refresh token never outlives the session: introspection shows its expiry capped at SESSION_MAX_TTL', async () => {
    const { session, tokens } = await loggedIn('capped');
    const result = await post(
      idp,
      '/introspect',
      { token: tokens.refresh_token! },
      { Authorization: SHOP.auth },
    );
    expect(result.json).toMatchObject({ active: true, token_type: 'refresh_token' });
    expect(result.json.exp).toBe(Math.floor(session.expiresAt / 1000));
  });

  it('garbage, a missing token, or an over-long one → invalid_grant / invalid_request', async () => {
    for (const token of ['nope', 'a'.repeat(22) + '.' + 'b'.repeat(43)]) {
      expect(oauthError(await refresh(idp, token, SHOP))).toEqual({
        status: 400,
        error: 'invalid_grant',
      });
    }
    expect(
      oauthError(
        await post(idp, '/token', { grant_type: 'refresh_token' }, { Authorization: SHOP.auth }),
      ),
    ).toEqual({ status: 400, error: 'invalid_request' });
    expect(oauthError(await refresh(idp, 'a'.repeat(5000), SHOP))).toEqual({
      status: 400,
      error: 'invalid_request',
    });
  });
});
