import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PENDING_AUTHORIZATION_TTL_MS } from '../oauth/authorize/pending-authorization.js';
import { createMemoryStore } from '../store/memory-store.js';
import {
  authorizeUrl,
  createBrowser,
  loginFormFields,
  type Browser,
} from '../test-support/browser.js';
import { startTestIdp, type TestIdp } from '../test-support/test-idp.js';

const SHOP = { clientId: 'shop', redirectUri: 'http://shop.localhost:3001/auth/callback' };
const WINDOW_MS = 60_000;

// One clock for the IdP and its store: expiring a window or a pending authorization is a
// matter of moving it, not of sleeping.
let clock = Date.now();
const now = () => clock;

let idp: TestIdp;
beforeAll(async () => {
  idp = await startTestIdp({}, createMemoryStore({ now }), {
    now,
    loginLimits: { perAccount: 3, perAddress: 6, windowMs: WINDOW_MS },
  });
});
afterAll(() => idp.close());

async function openLoginForm(browser: Browser) {
  const redirect = await browser.fetch(authorizeUrl(idp.url, SHOP).url);
  const page = await browser.fetch(new URL(redirect.headers.get('location')!, idp.url));
  return loginFormFields(await page.text());
}

async function attempt(browser: Browser, username: string, password: string) {
  const fields = await openLoginForm(browser);
  return browser.post(new URL('/login', idp.url), { ...fields, username, password });
}

describe('failed-login limits (fixed windows, no permanent lockout)', () => {
  it('per account: after N failures even the right password gets 429 with Retry-After, until the window ends', async () => {
    const browser = createBrowser();
    for (let i = 0; i < 3; i++) {
      expect((await attempt(browser, 'alice', 'guess-' + i)).status).toBe(401);
    }
    const blocked = await attempt(browser, 'alice', 'wonderland-alice');
    expect(blocked.status).toBe(429);
    const retryAfter = Number(blocked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_MS / 1000);
    expect(blocked.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await blocked.text()).toContain('Too many failed attempts');

    // Another account from another address is not affected.
    expect((await attempt(createBrowser(), 'bob', 'builder-bob')).status).toBe(303);

    clock += WINDOW_MS + 1;
    expect((await attempt(browser, 'alice', 'wonderland-alice')).status).toBe(303);
  });

  it('per address: spraying many accounts from one address is stopped too, and recovers', async () => {
    const browser = createBrowser();
    for (let i = 0; i < 6; i++) {
      expect((await attempt(browser, `user-${i}`, 'password1')).status).toBe(401);
    }
    const blocked = await attempt(browser, 'bob', 'builder-bob');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    clock += WINDOW_MS + 1;
    expect((await attempt(browser, 'bob', 'builder-bob')).status).toBe(303);
  });

  it('a successful login clears the account count', async () => {
    clock += WINDOW_MS + 1; // fresh windows: only this test's attempts count
    // Each attempt in its own browser: after a login the IdP session would skip the form.
    for (let i = 0; i < 2; i++) {
      expect((await attempt(createBrowser(), 'bob', `nope-${i}`)).status).toBe(401);
    }
    expect((await attempt(createBrowser(), 'bob', 'builder-bob')).status).toBe(303);
    for (let i = 0; i < 2; i++) {
      expect((await attempt(createBrowser(), 'bob', `nope-${i}`)).status).toBe(401);
    }
    // Four failures in the window, but the success in between reset the count of three.
    expect((await attempt(createBrowser(), 'bob', 'builder-bob')).status).toBe(303);
  });
});

describe('pending authorization lifetime', () => {
  it('an expired pending authorization gets a readable 400 page on GET and POST', async () => {
    clock += WINDOW_MS + 1;
    const browser = createBrowser();
    const redirect = await browser.fetch(authorizeUrl(idp.url, SHOP).url);
    const loginUrl = new URL(redirect.headers.get('location')!, idp.url);
    const fields = loginFormFields(await (await browser.fetch(loginUrl)).text());
    clock += PENDING_AUTHORIZATION_TTL_MS + 1;
    const page = await browser.fetch(loginUrl);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('expired');
    const post = await browser.post(new URL('/login', idp.url), {
      ...fields,
      username: 'alice',
      password: 'wonderland-alice',
    });
    expect(post.status).toBe(400);
  });
});
