import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../store/memory-store.js';
import { createBrowser, loginFormFields, type Browser } from '../test-support/browser.js';
import { withTestClients } from '../test-support/grants.js';
import { basicAuth, startTestIdp, type TestIdp } from '../test-support/test-idp.js';
import { USER_CODE_ALPHABET } from '../oauth/device/user-code.js';

/**
 * RFC 8628 over HTTP against one test IdP: the device's request, the /device pages through
 * a cookie-keeping browser, and the device's polls. The IdP's clock is real time plus an
 * offset the tests move forward (to end rate-limit windows and expire codes).
 */

const ISSUER = 'http://idp.localhost:4000';
const GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const TV = {
  client_id: 'tv',
  client_name: 'Living Room TV',
  token_endpoint_auth_method: 'none',
  application_type: 'native',
  grant_types: [GRANT, 'refresh_token'],
  resources: ['http://wiki.localhost:3002/api'],
};

const STRICT_TV = { ...TV, client_id: 'strict-tv', client_name: 'Strict TV', require_mfa: true };

let offset = 0;
const now = () => Date.now() + offset;
let idp: TestIdp;
let clients: Awaited<ReturnType<typeof withTestClients>>;

beforeAll(async () => {
  clients = await withTestClients([TV, STRICT_TV]);
  idp = await startTestIdp(
    // Forwarded addresses believed from loopback: one test guesses from many addresses.
    { CLIENTS_FILE: clients.file, DEVICE_POLL_INTERVAL: '1s', TRUSTED_PROXIES: '127.0.0.1' },
    createMemoryStore({ now }),
    { now },
  );
});
afterAll(async () => {
  await idp?.close();
  await clients?.remove();
});
// Each test starts in fresh rate-limit windows.
beforeEach(() => {
  offset += 5 * 60_000;
});

const post = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${idp.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields),
  });

interface DeviceAnswer {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

async function startDevice(
  scope = 'openid offline_access',
  clientId = 'tv',
): Promise<DeviceAnswer> {
  const response = await post('/device_authorization', { client_id: clientId, scope });
  expect(response.status).toBe(200);
  return (await response.json()) as DeviceAnswer;
}

const poll = (deviceCode: string, clientId = 'tv') =>
  post('/token', { grant_type: GRANT, device_code: deviceCode, client_id: clientId });

async function errorOf(response: Response): Promise<string> {
  expect(response.status).toBe(400);
  return ((await response.json()) as { error: string }).error;
}

/** Signs the browser in (through the account page's login), then opens `path`: the code page. */
async function signedInAtDevice(browser: Browser, path = '/device'): Promise<string> {
  const first = await browser.fetch(`${idp.url}/account`);
  expect(first.status).toBe(303);
  await logIn(browser, new URL(first.headers.get('location')!, idp.url));
  const page = await browser.fetch(`${idp.url}${path}`);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('name="user_code"');
  return html;
}

/** Fills the login form at `login` as alice; resolves to where the IdP sends the browser. */
async function logIn(browser: Browser, login: URL): Promise<string> {
  expect(login.pathname).toBe('/login');
  const form = await browser.fetch(`${idp.url}${login.pathname}${login.search}`);
  const html = await form.text();
  const loggedIn = await browser.post(`${idp.url}/login`, {
    ...loginFormFields(html),
    username: 'alice',
    password: 'wonderland-alice',
  });
  expect(loggedIn.status).toBe(303);
  return loggedIn.headers.get('location')!;
}

function csrfOf(html: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no csrf field');
  return match[1];
}

const submitCode = (browser: Browser, csrf: string, userCode: string, decision?: string) =>
  browser.post(`${idp.url}/device`, {
    csrf,
    user_code: userCode,
    ...(decision !== undefined && { decision }),
  });

describe('RFC 8628 §4 discovery', () => {
  it('names the device authorization endpoint and the grant', async () => {
    const metadata = (await (
      await fetch(`${idp.url}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(metadata.device_authorization_endpoint).toBe(`${ISSUER}/device_authorization`);
    expect(metadata.grant_types_supported).toContain(GRANT);
  });
});

describe('RFC 8628 §3.1-3.2 device authorization request', () => {
  it('answers a device code, an 8-letter user code of the §6.1 alphabet, and where to type it', async () => {
    const answer = await startDevice();
    const letters = `[${USER_CODE_ALPHABET}]{4}`;
    expect(answer.user_code).toMatch(new RegExp(`^${letters}-${letters}$`));
    expect(answer.verification_uri).toBe(`${ISSUER}/device`);
    expect(answer.verification_uri_complete).toBe(`${ISSUER}/device?user_code=${answer.user_code}`);
    expect(answer.expires_in).toBe(600);
    expect(answer.interval).toBe(1);
    expect(answer.device_code.length).toBeGreaterThanOrEqual(43);
  });

  it('refuses an unknown client, a client not registered for the grant, and a scope not allowed', async () => {
    const unknown = await post('/device_authorization', { client_id: 'nobody' });
    expect(unknown.status).toBe(401);
    expect(((await unknown.json()) as { error: string }).error).toBe('invalid_client');
    const shop = await post(
      '/device_authorization',
      {},
      { Authorization: basicAuth('shop', 'shop-demo-secret') },
    );
    expect(await errorOf(shop)).toBe('unauthorized_client');
    const scope = await post('/device_authorization', { client_id: 'tv', scope: 'openid admin' });
    expect(await errorOf(scope)).toBe('invalid_scope');
  });
});

describe('RFC 8628 §3.3-3.5 the whole grant over HTTP', () => {
  it('pending, then approved on the /device pages, then tokens of the approving session, once', async () => {
    const device = await startDevice();
    expect(await errorOf(await poll(device.device_code))).toBe('authorization_pending');

    const browser = createBrowser();
    // verification_uri_complete: the code page, prefilled, before anyone is signed in.
    const entry = await (
      await browser.fetch(`${idp.url}/device?user_code=${device.user_code}`)
    ).text();
    expect(entry).toContain(`value="${device.user_code}"`);
    // Typed in lower case without the dash: the same code (§6.1). Then the login.
    const typed = device.user_code.replace('-', '').toLowerCase();
    const toLogin = await submitCode(browser, csrfOf(entry), typed);
    expect(toLogin.status).toBe(303);
    const login = new URL(toLogin.headers.get('location')!, idp.url);
    const loginPage = await browser.fetch(`${idp.url}${login.pathname}${login.search}`);
    expect(await loginPage.text()).toContain('to connect a device');
    const back = await logIn(browser, login);
    expect(back).toBe(`/device?user_code=${device.user_code.replace('-', '')}`);
    // Back with the code: the confirmation.
    const confirm = await browser.fetch(`${idp.url}${back}`);
    expect(confirm.status).toBe(200);
    const confirmHtml = await confirm.text();
    expect(confirmHtml).toContain('Living Room TV');
    expect(confirmHtml).toContain('stay signed in until you sign out');
    expect(confirmHtml).toContain(device.user_code);
    expect(confirmHtml).toContain('name="decision" value="allow"');
    expect(confirmHtml).toContain('name="decision" value="deny"');
    const done = await submitCode(browser, csrfOf(confirmHtml), device.user_code, 'allow');
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Device connected');

    await new Promise((resolve) => setTimeout(resolve, 1_050));
    const tokens = await poll(device.device_code);
    expect(tokens.status).toBe(200);
    const body = (await tokens.json()) as Record<string, string>;
    expect(body.refresh_token).toBeTruthy();
    const claims = decodeJwt(body.access_token!);
    expect(claims.client_id).toBe('tv');
    // The sid of alice's browser session that approved (her only live one in this test).
    const approving = await idp.sessions.find(claims.sid as string, now());
    expect(approving?.sub).toBe(claims.sub);
    expect(approving?.username).toBe('alice');

    // A device code is used once.
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    expect(await errorOf(await poll(device.device_code))).toBe('invalid_grant');
    // The user code is spent too: typing it again says nothing more than any wrong code.
    const again = await submitCode(browser, csrfOf(confirmHtml), device.user_code);
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('That code is not valid');

    // Logging out of the approving browser session ends the device's refresh token.
    await idp.revoker.revokeSession(
      { sid: claims.sid as string, sub: claims.sub as string },
      'logout',
    );
    const refreshed = await post('/token', {
      grant_type: 'refresh_token',
      refresh_token: body.refresh_token!,
      client_id: 'tv',
    });
    expect(await errorOf(refreshed)).toBe('invalid_grant');
  });

  it('a require_mfa client is not approved from a session without a second factor', async () => {
    const device = await startDevice('openid', 'strict-tv');
    const browser = createBrowser();
    const entry = await signedInAtDevice(browser);
    const refused = await submitCode(browser, csrfOf(entry), device.user_code, 'allow');
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('Two-step verification required');
    expect(await errorOf(await poll(device.device_code, 'strict-tv'))).toBe(
      'authorization_pending',
    );
  });

  it('access_denied once the user denies', async () => {
    const device = await startDevice();
    const browser = createBrowser();
    const entry = await signedInAtDevice(browser);
    const confirm = await (await submitCode(browser, csrfOf(entry), device.user_code)).text();
    const done = await submitCode(browser, csrfOf(confirm), device.user_code, 'deny');
    expect(await done.text()).toContain('Request denied');
    expect(await errorOf(await poll(device.device_code))).toBe('access_denied');
  });

  it('slow_down for polling faster than the interval, which grows by 5 s and stays grown (§3.5)', async () => {
    const device = await startDevice();
    expect(await errorOf(await poll(device.device_code))).toBe('authorization_pending');
    const fast = await poll(device.device_code);
    expect(fast.status).toBe(400);
    const body = (await fast.json()) as { error: string; error_description: string };
    expect(body.error).toBe('slow_down');
    expect(body.error_description).toContain('6 s');
    // Waiting the old interval is still too fast now.
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    expect(await errorOf(await poll(device.device_code))).toBe('slow_down');
  });

  it('expired_token once the code has outlived expires_in', async () => {
    const device = await startDevice();
    offset += 601_000;
    expect(await errorOf(await poll(device.device_code))).toBe('expired_token');
  });

  it('invalid_grant for an unknown device code and for another client presenting one', async () => {
    const device = await startDevice();
    expect(await errorOf(await poll('x'.repeat(43)))).toBe('invalid_grant');
    const other = await post(
      '/token',
      { grant_type: GRANT, device_code: device.device_code },
      { Authorization: basicAuth('shop', 'shop-demo-secret') },
    );
    // shop is not registered for the grant at all.
    expect(await errorOf(other)).toBe('unauthorized_client');
    expect(await errorOf(await poll(device.device_code, 'cli'))).toBe('invalid_grant');
    // Untouched for its own client.
    expect(await errorOf(await poll(device.device_code))).toBe('authorization_pending');
  });
});

describe('RFC 8628 §5.1 user-code guessing', () => {
  it('before the login too: the same answer for every unusable code, the 11th refused', async () => {
    const device = await startDevice();
    const browser = createBrowser();
    const entry = await (await browser.fetch(`${idp.url}/device`)).text();
    const csrf = csrfOf(entry);
    for (let guess = 0; guess < 10; guess++) {
      const wrong = await submitCode(browser, csrf, guess % 2 ? 'BBBB-BBBB' : 'junk');
      expect(wrong.status).toBe(400);
      expect(await wrong.text()).toContain('That code is not valid');
    }
    const refused = await submitCode(browser, csrf, device.user_code);
    expect(refused.status).toBe(429);
  });

  it('refuses a code form posted without its CSRF cookie before the login', async () => {
    const device = await startDevice();
    const refused = await post('/device', { csrf: 'x'.repeat(43), user_code: device.user_code });
    expect(refused.status).toBe(403);
  });

  it('answers every unusable code alike: malformed, unknown, expired', async () => {
    const browser = createBrowser();
    const entry = await signedInAtDevice(browser);
    const expired = await startDevice();
    offset += 601_000;
    const answers = await Promise.all(
      ['not a code', 'BBBB-BBBB', expired.user_code].map(async (code) => {
        const response = await submitCode(browser, csrfOf(entry), code);
        const html = await response.text();
        return {
          status: response.status,
          message: /role="alert"[^>]*>([^<]*)</.exec(html)?.[1],
        };
      }),
    );
    expect(answers[0]!.status).toBe(400);
    expect(answers[0]!.message).toContain('not valid');
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });

  it('refuses the 11th wrong guess from one address in a minute, even with a right code', async () => {
    const device = await startDevice();
    const browser = createBrowser();
    const entry = await signedInAtDevice(browser);
    const csrf = csrfOf(entry);
    for (let guess = 0; guess < 10; guess++) {
      expect((await submitCode(browser, csrf, 'BBBB-BBBB')).status).toBe(400);
    }
    const refused = await submitCode(browser, csrf, device.user_code);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBeTruthy();
    expect(await refused.text()).toContain('Too many codes tried');
    // Another browser session from the same address is refused too.
    const other = createBrowser();
    const otherEntry = await signedInAtDevice(other);
    expect((await submitCode(other, csrfOf(otherEntry), device.user_code)).status).toBe(429);
    // A minute later the code works again.
    offset += 61_000;
    expect((await submitCode(browser, csrf, device.user_code)).status).toBe(200);
  });

  it('refuses the 11th guess of one browser session even from changing addresses', async () => {
    const device = await startDevice();
    const browser = createBrowser();
    const csrf = csrfOf(await signedInAtDevice(browser));
    const guess = (address: string, userCode: string) =>
      browser.fetch(`${idp.url}/device`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'X-Forwarded-For': address,
        },
        body: new URLSearchParams({ csrf, user_code: userCode }),
      });
    for (let i = 1; i <= 10; i++) {
      expect((await guess(`192.0.2.${i}`, 'BBBB-BBBB')).status).toBe(400);
    }
    expect((await guess('192.0.2.99', device.user_code)).status).toBe(429);
  });

  it.each(['%00', '<script>', 'WDJB-MJHT%0d%0aX:1', 'a'.repeat(40)])(
    'shows the code page with nothing carried over for ?user_code=%s',
    async (value) => {
      const browser = createBrowser();
      await signedInAtDevice(browser);
      const page = await browser.fetch(`${idp.url}/device?user_code=${value}`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('name="user_code" value=""');
    },
  );

  it('shows the code page for a repeated user_code parameter', async () => {
    const browser = createBrowser();
    await signedInAtDevice(browser);
    const page = await browser.fetch(`${idp.url}/device?user_code=A&user_code=B`);
    expect(page.status).toBe(200);
  });

  it('refuses a POST without the page CSRF token', async () => {
    const device = await startDevice();
    const browser = createBrowser();
    await signedInAtDevice(browser);
    const forged = await submitCode(browser, 'forged', device.user_code, 'allow');
    expect(forged.status).toBe(403);
    expect(await errorOf(await poll(device.device_code))).toBe('authorization_pending');
  });
});

describe('the /device pages in Simplified Chinese', () => {
  it('shows the code page in zh-CN', async () => {
    const browser = createBrowser();
    await signedInAtDevice(browser);
    const page = await browser.fetch(`${idp.url}/device?lang=zh-CN`);
    const html = await page.text();
    expect(html).toContain('lang="zh-CN"');
    expect(html).toContain('连接设备');
  });
});
