import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ISSUER,
  oauthError,
  post,
  refresh,
  SHOP,
  signInToShop,
  SPA,
  WIKI,
  withTestClients,
} from '../../test-support/grants.js';
import { basicAuth, startClockedTestIdp, type TestIdp } from '../../test-support/test-idp.js';

let idp: TestIdp;
let clients: Awaited<ReturnType<typeof withTestClients>>;
let clock = Date.now();
beforeAll(async () => {
  clients = await withTestClients();
  idp = await startClockedTestIdp(() => clock, { CLIENTS_FILE: clients.file });
});
afterAll(async () => {
  await idp.close();
  await clients.remove();
});

const tokensFor = (username: string) => signInToShop(idp, username, { nowMs: clock });

const introspect = (token: string, auth: string = WIKI.auth, extra: Record<string, string> = {}) =>
  post(idp, '/introspect', { token, ...extra }, { Authorization: auth });

describe('POST /introspect (RFC 7662)', () => {
  it('RFC 7662 2.2: an active access token, for any authenticated resource server', async () => {
    const { session, tokens } = await tokensFor('active');
    const result = await introspect(tokens.access_token!);
    expect(result.status).toBe(200);
    expect(result.headers.get('cache-control')).toBe('no-store');
    expect(result.json).toMatchObject({
      active: true,
      token_type: 'Bearer',
      scope: 'openid profile email',
      client_id: 'shop',
      username: 'active',
      sub: 'id-active',
      aud: SHOP.resources,
      iss: ISSUER,
      sid: session.sid,
    });
    for (const claim of ['exp', 'iat', 'jti']) expect(result.json).toHaveProperty(claim);
  });

  it('RFC 7662 2.2: an active refresh token, for the client it was issued to only', async () => {
    const { session, tokens } = await tokensFor('refresh');
    const own = await introspect(tokens.refresh_token!, SHOP.auth);
    expect(own.json).toMatchObject({
      active: true,
      token_type: 'refresh_token',
      client_id: 'shop',
      sub: 'id-refresh',
      sid: session.sid,
      username: 'refresh',
    });
    expect((await introspect(tokens.refresh_token!, WIKI.auth)).json).toEqual({ active: false });
  });

  it('RFC 7662 2.2: a rotated-out refresh token is inactive', async () => {
    const { tokens } = await tokensFor('rotated');
    expect((await refresh(idp, tokens.refresh_token!, SHOP)).status).toBe(200);
    expect((await introspect(tokens.refresh_token!, SHOP.auth)).json).toEqual({ active: false });
  });

  it('RFC 7662 2.2: tokens of an ended session are inactive', async () => {
    const { session, tokens } = await tokensFor('ended');
    await idp.revoker.revokeSession(session, 'logout');
    expect((await introspect(tokens.access_token!)).json).toEqual({ active: false });
    expect((await introspect(tokens.refresh_token!, SHOP.auth)).json).toEqual({ active: false });
  });

  it('RFC 7662 2.2: expired, tampered or unknown tokens are just {"active": false}', async () => {
    const { tokens } = await tokensFor('inactive');
    const [h, p] = tokens.access_token!.split('.');
    for (const token of [`${h}.${p}.AAAA`, 'garbage', tokens.id_token!, 'x'.repeat(4000)]) {
      expect((await introspect(token)).json).toEqual({ active: false });
    }
    clock += 11 * 60_000;
    try {
      expect((await introspect(tokens.access_token!)).json).toEqual({ active: false });
    } finally {
      clock -= 11 * 60_000;
    }
  });

  it('a machine token is active without a session', async () => {
    const machine = await post(
      idp,
      '/token',
      { grant_type: 'client_credentials' },
      { Authorization: basicAuth('reports', 'reports-demo-secret') },
    );
    const result = await introspect(machine.json.access_token as string);
    expect(result.json).toMatchObject({ active: true, client_id: 'reports', sub: 'reports' });
    expect(result.json).not.toHaveProperty('sid');
  });

  it('RFC 7662 2.1: public and unauthenticated clients → 401 invalid_client', async () => {
    const { tokens } = await tokensFor('public');
    const publicClient = await post(idp, '/introspect', {
      token: tokens.access_token!,
      client_id: SPA.id,
    });
    expect(oauthError(publicClient)).toEqual({ status: 401, error: 'invalid_client' });
    const anonymous = await post(idp, '/introspect', { token: tokens.access_token! });
    expect(oauthError(anonymous)).toEqual({ status: 401, error: 'invalid_client' });
  });

  it('RFC 7662 2.1: a missing token → 400 invalid_request', async () => {
    expect(oauthError(await post(idp, '/introspect', {}, { Authorization: WIKI.auth }))).toEqual({
      status: 400,
      error: 'invalid_request',
    });
  });
});
