import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  codeFor,
  post,
  refresh,
  signIn,
  SHOP,
  SPA,
  withTestClients,
  type HttpResult,
} from '../test-support/grants.js';
import { startTestIdp, type TestIdp } from '../test-support/test-idp.js';

/** Browser apps over real HTTP: which origin may read /token, /revoke and /userinfo. */
const SPA_ORIGIN = new URL(SPA.redirectUri).origin;
const OTHER = {
  id: 'other-spa',
  redirectUri: 'https://other.example/cb',
  resources: SPA.resources,
  webOrigin: 'http://127.0.0.1:5173',
};
const UNREGISTERED = 'http://evil.localhost:6666';

let idp: TestIdp;
let removeClients: () => Promise<void>;

beforeAll(async () => {
  const clients = await withTestClients([
    {
      client_id: OTHER.id,
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: [OTHER.redirectUri],
      web_origins: [OTHER.webOrigin],
      resources: OTHER.resources,
    },
  ]);
  removeClients = clients.remove;
  idp = await startTestIdp({ CLIENTS_FILE: clients.file });
});
afterAll(async () => {
  await idp.close();
  await removeClients();
});

const preflight = (path: string, origin: string) =>
  fetch(`${idp.url}${path}`, {
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type, dpop',
    },
  });

/** redeem() sends its overrides as form fields: the Origin header goes through post(). */
async function redeemFrom(origin: string, client: typeof SPA | typeof OTHER): Promise<HttpResult> {
  const { session } = await signIn(idp, { username: 'bob' });
  const issued = await codeFor(idp.store, session, client, {
    scope: ['openid', 'offline_access'],
  });
  return post(
    idp,
    '/token',
    {
      grant_type: 'authorization_code',
      code: issued.code,
      redirect_uri: client.redirectUri,
      code_verifier: issued.verifier,
      client_id: client.id,
    },
    { Origin: origin },
  );
}

function expectNoCors(headers: Headers): void {
  expect(headers.get('access-control-allow-origin')).toBeNull();
  expect(headers.get('access-control-allow-methods')).toBeNull();
  expect(headers.get('access-control-allow-credentials')).toBeNull();
}

describe('CORS for browser clients', () => {
  it('preflight at /token and /revoke: a registered origin is echoed, with methods, headers and max-age', async () => {
    for (const path of ['/token', '/revoke']) {
      const answer = await preflight(path, SPA_ORIGIN);
      expect(answer.status).toBe(204);
      expect(answer.headers.get('access-control-allow-origin')).toBe(SPA_ORIGIN);
      expect(answer.headers.get('access-control-allow-methods')).toBe('POST');
      expect(answer.headers.get('access-control-allow-headers')).toBe(
        'authorization, content-type, dpop',
      );
      expect(answer.headers.get('access-control-max-age')).toBe('600');
      expect(answer.headers.get('vary')).toContain('Origin');
      expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  it('a web_origins entry is allowed like a redirect URI origin', async () => {
    const answer = await preflight('/token', OTHER.webOrigin);
    expect(answer.headers.get('access-control-allow-origin')).toBe(OTHER.webOrigin);
  });

  it('bad input: a preflight from an unregistered origin gets no CORS headers', async () => {
    for (const path of ['/token', '/revoke', '/userinfo']) {
      const answer = await preflight(path, UNREGISTERED);
      expectNoCors(answer.headers);
    }
  });

  it('the code exchange of a public client from its own origin is readable, DPoP-Nonce exposed', async () => {
    const result = await redeemFrom(SPA_ORIGIN, SPA);
    expect(result.status).toBe(200);
    expect(result.headers.get('access-control-allow-origin')).toBe(SPA_ORIGIN);
    expect(result.headers.get('access-control-expose-headers')).toContain('DPoP-Nonce');
    expect(result.headers.get('access-control-expose-headers')).toContain('WWW-Authenticate');
    expect(result.headers.get('access-control-allow-credentials')).toBeNull();
    // The rotated refresh token is usable from the page as well.
    const again = await post(
      idp,
      '/token',
      {
        grant_type: 'refresh_token',
        refresh_token: result.json.refresh_token as string,
        client_id: SPA.id,
      },
      { Origin: SPA_ORIGIN },
    );
    expect(again.status).toBe(200);
    expect(again.headers.get('access-control-allow-origin')).toBe(SPA_ORIGIN);
  });

  it("bad input: /token naming another client's origin gets no CORS headers (the browser refuses the answer)", async () => {
    // The preflight passes (OTHER's origin is registered), the actual request names SPA.
    expect(
      (await preflight('/token', OTHER.webOrigin)).headers.get('access-control-allow-origin'),
    ).toBe(OTHER.webOrigin);
    const result = await redeemFrom(OTHER.webOrigin, SPA);
    expectNoCors(result.headers);
    const unregistered = await redeemFrom(UNREGISTERED, SPA);
    expectNoCors(unregistered.headers);
  });

  it('a client named by its Basic header is checked the same way', async () => {
    const shopTry = (origin: string) =>
      post(
        idp,
        '/token',
        { grant_type: 'refresh_token', refresh_token: 'nope' },
        { Authorization: SHOP.auth, Origin: origin },
      );
    const own = await shopTry('http://shop.localhost:3001');
    expect(own.status).toBe(400);
    expect(own.headers.get('access-control-allow-origin')).toBe('http://shop.localhost:3001');
    expectNoCors((await shopTry(SPA_ORIGIN)).headers);
  });

  it('errors are readable by an allowed origin, and /revoke follows the same rule', async () => {
    const refused = await refresh(idp, 'not-a-refresh-token', SPA);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull(); // no Origin sent
    const withOrigin = await post(
      idp,
      '/token',
      { grant_type: 'refresh_token', refresh_token: 'nope', client_id: SPA.id },
      { Origin: SPA_ORIGIN },
    );
    expect(withOrigin.status).toBe(400);
    expect(withOrigin.headers.get('access-control-allow-origin')).toBe(SPA_ORIGIN);
    const revoke = (origin: string) =>
      post(idp, '/revoke', { token: 'nope', client_id: SPA.id }, { Origin: origin });
    const revoked = await revoke(SPA_ORIGIN);
    expect(revoked.headers.get('access-control-allow-origin')).toBe(SPA_ORIGIN);
    // An empty answer with no Content-Type (oidc-client-ts refuses a text/plain one).
    expect(revoked.status).toBe(200);
    expect(revoked.text).toBe('');
    expect(revoked.headers.get('content-type')).toBeNull();
    expectNoCors((await revoke(OTHER.webOrigin)).headers);
  });

  it("/userinfo: only the origin of the token's own client reads the claims", async () => {
    const tokens = (await redeemFrom(SPA_ORIGIN, SPA)).json;
    const userinfo = (origin: string) =>
      fetch(`${idp.url}/userinfo`, {
        headers: { Authorization: `Bearer ${tokens.access_token as string}`, Origin: origin },
      });
    const own = await userinfo(SPA_ORIGIN);
    expect(own.status).toBe(200);
    expect(own.headers.get('access-control-allow-origin')).toBe(SPA_ORIGIN);
    expectNoCors((await userinfo(OTHER.webOrigin)).headers);
    expectNoCors((await userinfo(UNREGISTERED)).headers);
  });

  it('discovery and /jwks stay readable by any origin, without credentials', async () => {
    for (const path of ['/.well-known/openid-configuration', '/jwks']) {
      const answer = await fetch(`${idp.url}${path}`, { headers: { Origin: UNREGISTERED } });
      expect(answer.headers.get('access-control-allow-origin')).toBe('*');
      expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });
});
