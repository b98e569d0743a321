import { revocationKeys } from '@latchkey/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oauthError, post, refresh, SHOP, signInToShop, WIKI } from '../../test-support/grants.js';
import { basicAuth, startTestIdp, type TestIdp } from '../../test-support/test-idp.js';

let idp: TestIdp;
beforeAll(async () => {
  idp = await startTestIdp();
});
afterAll(() => idp.close());

const tokensFor = (username: string) => signInToShop(idp, username);

const revoke = (params: Record<string, string>, auth: string | null = SHOP.auth) =>
  post(idp, '/revoke', params, auth === null ? {} : { Authorization: auth });

const userinfoStatus = async (token: string) =>
  (await fetch(`${idp.url}/userinfo`, { headers: { Authorization: `Bearer ${token}` } })).status;

describe('POST /revoke (RFC 7009)', () => {
  it('RFC 7009 2.1: a refresh token of this client ends its grant; the SSO session stays', async () => {
    const { session, tokens } = await tokensFor('rt-revoke');
    const result = await revoke({ token: tokens.refresh_token!, token_type_hint: 'refresh_token' });
    expect(result.status).toBe(200);
    expect(result.text).toBe('');
    expect(oauthError(await refresh(idp, tokens.refresh_token!, SHOP))).toEqual({
      status: 400,
      error: 'invalid_grant',
    });
    expect(await idp.sessions.find(session.sid, Date.now())).not.toBeNull();
    expect(await userinfoStatus(tokens.access_token!)).toBe(200);
  });

  it('RFC 7009 2.1: an access token of this client revokes its session, for every SDK', async () => {
    const { session, tokens } = await tokensFor('at-revoke');
    const result = await revoke({ token: tokens.access_token! });
    expect(result.status).toBe(200);
    expect(await idp.sessions.find(session.sid, Date.now())).toBeNull();
    expect((await idp.store.setMembers(revocationKeys.set)).has(`sid:${session.sid}`)).toBe(true);
    expect(await userinfoStatus(tokens.access_token!)).toBe(401);
  });

  it("RFC 7009 2.2: another client's tokens → 200 and no action", async () => {
    const { session, tokens } = await tokensFor('foreign');
    expect((await revoke({ token: tokens.refresh_token! }, WIKI.auth)).status).toBe(200);
    expect((await revoke({ token: tokens.access_token! }, WIKI.auth)).status).toBe(200);
    expect(await idp.sessions.find(session.sid, Date.now())).not.toBeNull();
    expect((await refresh(idp, tokens.refresh_token!, SHOP)).status).toBe(200);
  });

  it('RFC 7009 2.2: an unknown or malformed token, or an unsupported hint → 200 and no action', async () => {
    const { session, tokens } = await tokensFor('unknown');
    for (const params of <Record<string, string>[]>[
      { token: 'not-a-token' },
      { token: `${'a'.repeat(22)}.${'b'.repeat(43)}` },
      { token: tokens.id_token! },
      { token: tokens.refresh_token!, token_type_hint: 'something_else' },
    ]) {
      const result = await revoke(params);
      expect(result.status).toBe(200);
      expect(result.text).toBe('');
    }
    // Only the last request (an unknown hint on a real token) acted: the hint is ignored.
    expect(await idp.sessions.find(session.sid, Date.now())).not.toBeNull();
    expect(oauthError(await refresh(idp, tokens.refresh_token!, SHOP))).toEqual({
      status: 400,
      error: 'invalid_grant',
    });
  });

  it('RFC 7009 2.1: the client must authenticate → 401 invalid_client', async () => {
    const { tokens } = await tokensFor('noauth');
    expect(oauthError(await revoke({ token: tokens.refresh_token! }, null))).toEqual({
      status: 401,
      error: 'invalid_client',
    });
    expect(
      oauthError(await revoke({ token: tokens.refresh_token! }, basicAuth('shop', 'wrong'))),
    ).toEqual({ status: 401, error: 'invalid_client' });
  });

  it('RFC 7009 2.1: a missing token → 400 invalid_request', async () => {
    expect(oauthError(await revoke({}))).toEqual({ status: 400, error: 'invalid_request' });
  });
});
