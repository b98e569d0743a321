import { afterEach, describe, expect, it } from 'vitest';
import { authorizeUrl, createBrowser, loginFormFields } from '../test-support/browser.js';
import { basicAuth, form, startTestIdp, type TestIdp } from '../test-support/test-idp.js';

const SHOP = { clientId: 'shop', redirectUri: 'http://shop.localhost:3001/auth/callback' };
const REPORTS = basicAuth('reports', 'reports-demo-secret');

let idp: TestIdp | undefined;
afterEach(async () => {
  await idp?.close();
  idp = undefined;
});

const NO_LIMITS = {
  RATE_LIMIT_TOKEN_PER_CLIENT: 'off',
  RATE_LIMIT_TOKEN_PER_ADDRESS: 'off',
  RATE_LIMIT_LOGIN_PER_ADDRESS: 'off',
  RATE_LIMIT_AUTHORIZE_PER_ADDRESS: 'off',
};

async function start(env: Record<string, string>): Promise<TestIdp> {
  idp = await startTestIdp({ ...NO_LIMITS, ...env });
  return idp;
}

function clientCredentials(url: string, authorization = REPORTS, headers = {}) {
  return fetch(`${url}/token`, {
    method: 'POST',
    headers: { Authorization: authorization, ...headers },
    body: form({ grant_type: 'client_credentials' }),
  });
}

async function expectJson429(response: Response): Promise<void> {
  expect(response.status).toBe(429);
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(Number(response.headers.get('retry-after'))).toBeLessThanOrEqual(60);
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(await response.json()).toEqual({
    error: 'temporarily_unavailable',
    error_description: expect.stringMatching(/^too many requests/),
  });
}

describe('POST /token per client', () => {
  it('counts only authenticated requests: wrong secrets never use up the real client', async () => {
    const { url } = await start({ RATE_LIMIT_TOKEN_PER_CLIENT: '3/1m' });
    for (let i = 0; i < 10; i += 1) {
      const forged = await clientCredentials(url, basicAuth('reports', 'wrong-secret'));
      expect(forged.status).toBe(401);
    }
    for (let i = 0; i < 3; i += 1) expect((await clientCredentials(url)).status).toBe(200);
    await expectJson429(await clientCredentials(url));
    // Another client has its own count.
    const shop = await fetch(`${url}/token`, {
      method: 'POST',
      headers: { Authorization: basicAuth('shop', 'shop-demo-secret') },
      body: form({ grant_type: 'refresh_token', refresh_token: 'x.y' }),
    });
    expect(shop.status).toBe(400);
    // Fifteen sequential requests, ten of them a deliberately slow secret check: seconds on
    // a machine busy with other suites, well past the default 5 s.
  }, 30_000);
});

describe('POST /token per address', () => {
  it('refuses before reading anything, even with wrong credentials', async () => {
    const { url } = await start({ RATE_LIMIT_TOKEN_PER_ADDRESS: '2/1m' });
    expect((await clientCredentials(url)).status).toBe(200);
    expect((await clientCredentials(url, basicAuth('nobody', 'x'))).status).toBe(401);
    await expectJson429(await clientCredentials(url));
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const { url } = await start({ RATE_LIMIT_TOKEN_PER_ADDRESS: '2/1m' });
    const from = (address: string) => ({ 'X-Forwarded-For': address });
    expect((await clientCredentials(url, REPORTS, from('203.0.113.1'))).status).toBe(200);
    expect((await clientCredentials(url, REPORTS, from('203.0.113.2'))).status).toBe(200);
    await expectJson429(await clientCredentials(url, REPORTS, from('203.0.113.3')));
  });

  it('counts each forwarded address on its own behind a trusted proxy', async () => {
    const { url } = await start({
      RATE_LIMIT_TOKEN_PER_ADDRESS: '2/1m',
      TRUSTED_PROXIES: '127.0.0.1, ::1',
    });
    const from = (address: string) => ({ 'X-Forwarded-For': address });
    for (const address of ['203.0.113.1', '203.0.113.2']) {
      expect((await clientCredentials(url, REPORTS, from(address))).status).toBe(200);
      expect((await clientCredentials(url, REPORTS, from(address))).status).toBe(200);
      await expectJson429(await clientCredentials(url, REPORTS, from(address)));
    }
    // The client cannot escape by prepending addresses of its own: the right-most counts.
    await expectJson429(await clientCredentials(url, REPORTS, from('198.51.100.7, 203.0.113.1')));
    // One IPv6 subscriber's /64 is one bucket.
    expect((await clientCredentials(url, REPORTS, from('2001:db8:1:1::a'))).status).toBe(200);
    expect((await clientCredentials(url, REPORTS, from('2001:db8:1:1::b'))).status).toBe(200);
    await expectJson429(await clientCredentials(url, REPORTS, from('2001:db8:1:1::c')));
  });
});

describe('the pages people see', () => {
  it('GET /authorize answers an HTML page with 429 and Retry-After', async () => {
    const { url } = await start({ RATE_LIMIT_AUTHORIZE_PER_ADDRESS: '2/1m' });
    const browser = createBrowser();
    for (let i = 0; i < 2; i += 1) {
      expect((await browser.fetch(authorizeUrl(url, SHOP).url)).status).toBe(303);
    }
    const limited = await browser.fetch(authorizeUrl(url, SHOP).url);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await limited.text()).toMatch(/^<!doctype html>[\s\S]*too many requests/i);
  });

  it('POST /login answers an HTML page with 429 and Retry-After', async () => {
    const { url } = await start({ RATE_LIMIT_LOGIN_PER_ADDRESS: '2/1m' });
    const browser = createBrowser();
    const attempt = async () => {
      const redirect = await browser.fetch(authorizeUrl(url, SHOP).url);
      const page = await browser.fetch(new URL(redirect.headers.get('location')!, url));
      const fields = loginFormFields(await page.text());
      return browser.post(new URL('/login', url), { ...fields, username: 'bob', password: 'no' });
    };
    expect((await attempt()).status).toBe(401);
    expect((await attempt()).status).toBe(401);
    const limited = await attempt();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limited.text()).toMatch(/^<!doctype html>[\s\S]*too many requests/i);
  });
});

describe('the failed-login throttle reads the same address', () => {
  it('behind a trusted proxy, counts failures per forwarded address', async () => {
    idp = await startTestIdp({ ...NO_LIMITS, TRUSTED_PROXIES: '127.0.0.1' }, undefined, {
      loginLimits: { perAccount: 100, perAddress: 2, windowMs: 60_000 },
    });
    const { url } = idp;
    const browser = createBrowser();
    const attempt = async (address: string) => {
      const redirect = await browser.fetch(authorizeUrl(url, SHOP).url);
      const page = await browser.fetch(new URL(redirect.headers.get('location')!, url));
      const fields = loginFormFields(await page.text());
      return browser.fetch(new URL('/login', url), {
        method: 'POST',
        headers: { 'X-Forwarded-For': address },
        body: form({ ...fields, username: 'bob', password: 'wrong' }),
      });
    };
    expect((await attempt('203.0.113.1')).status).toBe(401);
    expect((await attempt('203.0.113.1')).status).toBe(401);
    expect((await attempt('203.0.113.1')).status).toBe(429);
    // Another address behind the same proxy is not blocked by the first one's failures.
    expect((await attempt('203.0.113.2')).status).toBe(401);
  });
});
