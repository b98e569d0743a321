import { storeKeys } from '@latchkey/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestToken } from '../../tokens/opaque-token.js';
import {
  createBrowser,
  loginFormFields,
  pkcePair,
  type Browser,
} from '../../test-support/browser.js';
import {
  ISSUER,
  post,
  SHOP,
  SPA,
  WIKI,
  withTestClients,
  type HttpResult,
} from '../../test-support/grants.js';
import { startClockedTestIdp, type TestIdp } from '../../test-support/test-idp.js';
import { REQUEST_URI_PREFIX } from './pushed-requests.js';

/** A client registered with `require_pushed_authorization_requests` (RFC 9126 §5). */
const PAR_ONLY = {
  id: 'par-only',
  secret: 'par-only-secret-0123456789',
  redirectUri: 'http://par-only.localhost:3005/callback',
};

let idp: TestIdp;
let clients: Awaited<ReturnType<typeof withTestClients>>;
let skewMs = 0;

beforeAll(async () => {
  clients = await withTestClients([
    {
      client_id: PAR_ONLY.id,
      client_secret: PAR_ONLY.secret,
      token_endpoint_auth_method: 'client_secret_post',
      redirect_uris: [PAR_ONLY.redirectUri],
      resources: ['http://wiki.localhost:3002/api'],
      require_pushed_authorization_requests: true,
    },
  ]);
  idp = await startClockedTestIdp(() => Date.now() + skewMs, { CLIENTS_FILE: clients.file });
});
afterAll(async () => {
  await idp?.close();
  await clients?.remove();
});

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/** The authorization parameters the shop would have put in the /authorize URL. */
function shopRequest(extra: Record<string, string | undefined> = {}) {
  const pkce = pkcePair();
  const params: Record<string, string> = {
    response_type: 'code',
    client_id: SHOP.id,
    redirect_uri: SHOP.redirectUri,
    scope: 'openid profile',
    state: `state-${Math.random()}`,
    nonce: `nonce-${Math.random()}`,
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
  };
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete params[name];
    else params[name] = value;
  }
  return { params, verifier: pkce.verifier };
}

function push(
  params: Record<string, string | string[]>,
  auth: string | null = SHOP.auth,
): Promise<HttpResult> {
  return post(idp, '/par', params, auth === null ? {} : { Authorization: auth });
}

async function pushedUri(
  params: Record<string, string>,
  auth: string | null = SHOP.auth,
): Promise<string> {
  const result = await push(params, auth);
  expect(result.status, result.text).toBe(201);
  return result.json.request_uri as string;
}

function authorizeWith(query: Record<string, string>, browser: Browser = createBrowser()) {
  const url = new URL('/authorize', idp.url);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return browser.fetch(url);
}

/** Follows /authorize → login form → the redirect back to the client. */
async function loginThrough(response: Response, browser: Browser): Promise<URL> {
  expect(response.status).toBe(303);
  const login = new URL(response.headers.get('location')!, idp.url);
  expect(login.pathname).toBe('/login');
  const page = await browser.fetch(login);
  const answer = await browser.post(new URL('/login', idp.url), {
    ...loginFormFields(await page.text()),
    username: 'alice',
    password: 'wonderland-alice',
  });
  return new URL(answer.headers.get('location')!, idp.url);
}

async function expectErrorPage(response: Response, error: string) {
  expect(response.status).toBe(400);
  expect(response.headers.get('location')).toBeNull();
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  expect(await response.text()).toContain(error);
}

const parOnly = (extra: Record<string, string | undefined> = {}) =>
  shopRequest({ client_id: PAR_ONLY.id, redirect_uri: PAR_ONLY.redirectUri, ...extra });

describe('POST /par: the pushed request (RFC 9126 §2)', () => {
  it('RFC 9126 2.2: answers 201 with a request_uri URN and expires_in, never cached', async () => {
    const result = await push(shopRequest().params);
    expect(result.status).toBe(201);
    expect(result.headers.get('cache-control')).toBe('no-store');
    expect(result.json.expires_in).toBe(60);
    expect(result.json.request_uri).toMatch(new RegExp(`^${REQUEST_URI_PREFIX}[A-Za-z0-9_-]{43}$`));
  });

  it('RFC 9126 2.1: a public client pushes with its client_id alone', async () => {
    const { params } = shopRequest({ client_id: SPA.id, redirect_uri: SPA.redirectUri });
    const result = await push(params, null);
    expect(result.status).toBe(201);
  });

  it('RFC 9126 2.1: a client using Basic may leave client_id out of the body', async () => {
    const result = await push(shopRequest({ client_id: undefined }).params);
    expect(result.status).toBe(201);
  });

  it('RFC 9126 2.1: the client must authenticate as at the token endpoint', async () => {
    const missing = await push(shopRequest().params, null);
    expect(missing.status).toBe(401);
    expect(missing.json.error).toBe('invalid_client');
    const wrong = await push(shopRequest().params, basic('shop', 'not-the-secret'));
    expect(wrong.status).toBe(401);
    expect(wrong.json.error).toBe('invalid_client');
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic /);
  });

  it('RFC 9126 2.1: client_id must be the authenticated client', async () => {
    const result = await push(shopRequest({ client_id: WIKI.id }).params);
    expect(result.status).toBe(400);
    expect(result.json.error).toBe('invalid_request');
  });

  it('RFC 9126 2.1: request_uri inside a pushed request is refused', async () => {
    const inner = await pushedUri(shopRequest().params);
    const result = await push(shopRequest({ request_uri: inner }).params);
    expect(result.status).toBe(400);
    expect(result.json.error).toBe('invalid_request');
  });

  it.each([
    [
      'an unregistered redirect_uri',
      { redirect_uri: 'https://attacker.example/cb' },
      'invalid_request',
    ],
    ["another client's redirect_uri", { redirect_uri: WIKI.redirectUri }, 'invalid_request'],
    ['no redirect_uri', { redirect_uri: undefined }, 'invalid_request'],
    ['no response_type', { response_type: undefined }, 'invalid_request'],
    ['response_type=token', { response_type: 'token' }, 'unsupported_response_type'],
    ['no code_challenge (PKCE)', { code_challenge: undefined }, 'invalid_request'],
    ['code_challenge_method=plain', { code_challenge_method: 'plain' }, 'invalid_request'],
    ['a scope without openid', { scope: 'profile' }, 'invalid_scope'],
    ['an unknown scope', { scope: 'openid admin:everything' }, 'invalid_scope'],
    ['a max_age that is no number', { max_age: 'soon' }, 'invalid_request'],
    ['claims that are not JSON', { claims: '{not json' }, 'invalid_request'],
    ['prompt=none with prompt=login', { prompt: 'none login' }, 'invalid_request'],
    ['a request object', { request: 'eyJhbGciOiJub25lIn0.e30.' }, 'request_not_supported'],
  ])(
    'RFC 9126 2.1: validates as /authorize does: %s is refused to the client (2.3)',
    async (_name, extra, error) => {
      const result = await push(shopRequest(extra).params);
      expect(result.status).toBe(400);
      expect(result.headers.get('content-type')).toMatch(/^application\/json/);
      expect(result.json.error).toBe(error);
      expect(result.json.error_description).toEqual(expect.any(String));
    },
  );

  it('RFC 9126 2.1: a parameter sent twice is refused', async () => {
    const { params } = shopRequest();
    const result = await push({ ...params, scope: ['openid', 'openid profile'] });
    expect(result.status).toBe(400);
    expect(result.json.error).toBe('invalid_request');
  });

  it('RFC 9126 2.1: a body that is not a form is refused', async () => {
    const response = await fetch(`${idp.url}/par`, {
      method: 'POST',
      headers: { Authorization: SHOP.auth, 'Content-Type': 'application/json' },
      body: JSON.stringify(shopRequest().params),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('RFC 9126 2.1: a client_secret_post secret is not kept with the pushed parameters', async () => {
    const { params } = parOnly();
    const uri = await pushedUri({ ...params, client_secret: PAR_ONLY.secret }, null);
    const handle = uri.slice(REQUEST_URI_PREFIX.length);
    const stored = await idp.store.get(storeKeys.pushedAuthorizationRequest(digestToken(handle)));
    expect(stored).toContain('"state"');
    expect(stored).not.toContain(PAR_ONLY.secret);
  });
});

describe('GET /authorize with a request_uri (RFC 9126 §4)', () => {
  it('RFC 9126 4: the pushed request completes the code flow', async () => {
    const { params, verifier } = shopRequest();
    const uri = await pushedUri(params);
    const browser = createBrowser();
    const callback = await loginThrough(
      await authorizeWith({ client_id: SHOP.id, request_uri: uri }, browser),
      browser,
    );
    expect(callback.origin + callback.pathname).toBe(SHOP.redirectUri);
    expect(callback.searchParams.get('state')).toBe(params.state);
    expect(callback.searchParams.get('iss')).toBe(ISSUER);
    const code = callback.searchParams.get('code')!;
    const tokens = await post(
      idp,
      '/token',
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: SHOP.redirectUri,
        code_verifier: verifier,
      },
      { Authorization: SHOP.auth },
    );
    expect(tokens.status, tokens.text).toBe(200);
    expect(tokens.json.id_token).toEqual(expect.any(String));
  });

  it('RFC 9126 4: parameters outside the request_uri are ignored', async () => {
    const { params } = shopRequest();
    const uri = await pushedUri(params);
    const browser = createBrowser();
    const callback = await loginThrough(
      await authorizeWith(
        {
          client_id: SHOP.id,
          request_uri: uri,
          redirect_uri: 'https://attacker.example/cb',
          state: 'not-the-pushed-state',
          scope: 'openid',
        },
        browser,
      ),
      browser,
    );
    expect(callback.origin + callback.pathname).toBe(SHOP.redirectUri);
    expect(callback.searchParams.get('state')).toBe(params.state);
  });

  it('RFC 9126 4: a request_uri is single use; the second use gets an error page', async () => {
    const uri = await pushedUri(shopRequest().params);
    const first = await authorizeWith({ client_id: SHOP.id, request_uri: uri });
    expect(first.status).toBe(303);
    await expectErrorPage(
      await authorizeWith({ client_id: SHOP.id, request_uri: uri }),
      'invalid_request_uri',
    );
  });

  it('RFC 9126 4: an expired request_uri gets an error page', async () => {
    const uri = await pushedUri(shopRequest().params);
    skewMs = 61_000;
    try {
      await expectErrorPage(
        await authorizeWith({ client_id: SHOP.id, request_uri: uri }),
        'invalid_request_uri',
      );
    } finally {
      skewMs = 0;
    }
  });

  it('RFC 9126 4: an unknown or malformed request_uri gets an error page', async () => {
    for (const uri of [
      `${REQUEST_URI_PREFIX}${'A'.repeat(43)}`,
      `${REQUEST_URI_PREFIX}short`,
      REQUEST_URI_PREFIX,
    ]) {
      await expectErrorPage(
        await authorizeWith({ client_id: SHOP.id, request_uri: uri }),
        'invalid_request_uri',
      );
    }
  });

  it("RFC 9126 4: another client's request_uri is refused, and stays usable by its pusher", async () => {
    const uri = await pushedUri(shopRequest().params);
    await expectErrorPage(
      await authorizeWith({ client_id: WIKI.id, request_uri: uri }),
      'invalid_request',
    );
    const own = await authorizeWith({ client_id: SHOP.id, request_uri: uri });
    expect(own.status).toBe(303);
    expect(own.headers.get('location')).toMatch(/^\/login\?/);
  });

  it('RFC 9126 4: a request_uri without client_id gets an error page', async () => {
    const uri = await pushedUri(shopRequest().params);
    await expectErrorPage(await authorizeWith({ request_uri: uri }), 'invalid_request');
  });
});

describe('require_pushed_authorization_requests (RFC 9126 §5)', () => {
  it('RFC 9126 5: a client that requires PAR is refused a plain /authorize (invalid_request)', async () => {
    const { params } = parOnly();
    const response = await authorizeWith(params);
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location')!);
    expect(location.origin + location.pathname).toBe(PAR_ONLY.redirectUri);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toMatch(/pushed authorization/);
    expect(location.searchParams.get('state')).toBe(params.state);
    expect(location.searchParams.has('code')).toBe(false);
  });

  it('RFC 9126 5: the same client goes through with a pushed request', async () => {
    const { params } = parOnly();
    const uri = await pushedUri({ ...params, client_secret: PAR_ONLY.secret }, null);
    const response = await authorizeWith({ client_id: PAR_ONLY.id, request_uri: uri });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(/^\/login\?/);
  });

  it('RFC 9126 5: other clients may still use a plain /authorize', async () => {
    const response = await authorizeWith(shopRequest().params);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(/^\/login\?/);
  });
});
