import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, signInToShop } from '../../test-support/grants.js';
import { basicAuth, form, startClockedTestIdp, type TestIdp } from '../../test-support/test-idp.js';

let idp: TestIdp;
let clock = Date.now();
beforeAll(async () => {
  idp = await startClockedTestIdp(() => clock);
});
afterAll(() => idp.close());

const tokensFor = (username: string, scope: string[]) =>
  signInToShop(idp, username, { nowMs: clock, scope });

const userinfo = (token: string | undefined, init: RequestInit = {}, query = '') =>
  fetch(`${idp.url}/userinfo${query}`, {
    ...init,
    headers: {
      ...(token !== undefined && { Authorization: `Bearer ${token}` }),
      ...(init.headers as Record<string, string> | undefined),
    },
  });

describe('GET|POST /userinfo (OIDC Core §5.3, RFC 6750)', () => {
  it('OIDC 5.4: returns sub and roles always, and the profile and email claims their scopes release', async () => {
    const { tokens } = await tokensFor('carol', ['openid', 'profile', 'email']);
    const response = await userinfo(tokens.access_token);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({
      sub: 'id-carol',
      preferred_username: 'carol',
      name: 'Carol Example',
      email: 'carol@example.test',
      email_verified: true,
      roles: ['admin'],
    });
  });

  it('OIDC 5.4: with openid alone, only sub and roles', async () => {
    const { tokens } = await tokensFor('dave', ['openid']);
    expect(await (await userinfo(tokens.access_token)).json()).toEqual({
      sub: 'id-dave',
      roles: ['admin'],
    });
  });

  it('RFC 6750 2.2: POST may carry the token as the form field access_token', async () => {
    const { tokens } = await tokensFor('erin', ['openid']);
    const response = await fetch(`${idp.url}/userinfo`, {
      method: 'POST',
      body: form({ access_token: tokens.access_token! }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { sub: string }).sub).toBe('id-erin');
  });

  it('RFC 6750 2: the token sent two ways at once → 400 invalid_request', async () => {
    const { tokens } = await tokensFor('frank', ['openid']);
    const response = await userinfo(tokens.access_token, {
      method: 'POST',
      body: form({ access_token: tokens.access_token! }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_request"');
  });

  it('RFC 6750 2.3 is refused: a token in the query string → 400 invalid_request', async () => {
    const { tokens } = await tokensFor('grace', ['openid']);
    const response = await userinfo(undefined, {}, `?access_token=${tokens.access_token}`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('RFC 6750 3.1: no token → 401 with a Bearer challenge and no error code', async () => {
    const response = await userinfo(undefined);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="latchkey"');
  });

  it('RFC 6750 3.1: a tampered, foreign or malformed token → 401 invalid_token', async () => {
    const { tokens } = await tokensFor('heidi', ['openid']);
    const [h, p, s] = tokens.access_token!.split('.');
    // The signature's first character: its last ones carry padding bits.
    const tampered = `${h}.${p}.${s!.startsWith('A') ? 'B' : 'A'}${s!.slice(1)}`;
    for (const token of [tampered, 'not-a-jwt', tokens.id_token!]) {
      const response = await userinfo(token);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    }
    expect((await userinfo(undefined, { headers: { Authorization: 'Bearer' } })).status).toBe(400);
  });

  it('RFC 6750 3.1: an expired token → 401 invalid_token', async () => {
    const { tokens } = await tokensFor('ivan', ['openid']);
    clock += 11 * 60_000;
    try {
      expect((await userinfo(tokens.access_token)).status).toBe(401);
    } finally {
      clock -= 11 * 60_000;
    }
  });

  it("a logged-out session's token is refused at once → 401 invalid_token", async () => {
    const { session, tokens } = await tokensFor('judy', ['openid']);
    expect((await userinfo(tokens.access_token)).status).toBe(200);
    await idp.revoker.revokeSession(session, 'logout');
    expect((await userinfo(tokens.access_token)).status).toBe(401);
  });

  it('RFC 6750 3.1: a token without the openid scope → 403 insufficient_scope', async () => {
    const { tokens } = await tokensFor('ken', ['wiki:read']);
    const response = await userinfo(tokens.access_token);
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });

  it('a machine token (client_credentials) has no user → 401 invalid_token', async () => {
    const machine = await post(
      idp,
      '/token',
      { grant_type: 'client_credentials' },
      { Authorization: basicAuth('reports', 'reports-demo-secret') },
    );
    expect((await userinfo(machine.json.access_token as string)).status).toBe(401);
  });

  it("CORS: the origin of the token's client may call it, and the preflight allows the Authorization header", async () => {
    const { tokens } = await tokensFor('leo', ['openid']);
    const response = await userinfo(tokens.access_token, {
      headers: { Origin: 'http://shop.localhost:3001' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBe('http://shop.localhost:3001');
    const preflight = await fetch(`${idp.url}/userinfo`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://shop.localhost:3001',
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'authorization',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
  });
});
