import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorizeUrl,
  createBrowser,
  loginFormFields,
  signIn,
} from '../../test-support/browser.js';
import { startClockedTestIdp, type TestIdp } from '../../test-support/test-idp.js';

const SHOP = { clientId: 'shop', redirectUri: 'http://shop.localhost:3001/auth/callback' };
const ALICE = { username: 'alice', password: 'wonderland-alice' };

// The IdP's clock, moved by the tests. Logins happen 200 ms past a whole second: 1.5 s later
// is then 700 ms past the next one, where comparing in whole seconds saw a login "1 s old"
// and let max_age=1 through. Near today, so the cookies' Expires are in the future.
let clock = Date.now();
let idp: TestIdp;
beforeAll(async () => {
  idp = await startClockedTestIdp(() => clock);
});
afterAll(() => idp.close());

/** Signs alice in at the next 200 ms past a whole second (the clock only moves forward). */
async function signedInBrowser() {
  clock = Math.floor(clock / 1000) * 1000 + 1200;
  const browser = createBrowser();
  await signIn(browser, idp.url, { ...SHOP, ...ALICE });
  return { browser, loggedInAt: clock };
}

async function authorizeWithMaxAge(browser: ReturnType<typeof createBrowser>, extra = {}) {
  const { url } = authorizeUrl(idp.url, { ...SHOP, extra: { max_age: '1', ...extra } });
  const response = await browser.fetch(url);
  expect(response.status).toBe(303);
  return new URL(response.headers.get('location') ?? '', idp.url);
}

describe('OIDC Core 3.1.2.1 max_age over HTTP, on the IdP clock', () => {
  it('1.5 s after a login, max_age=1 shows the login form', async () => {
    const { browser, loggedInAt } = await signedInBrowser();
    clock = loggedInAt + 1500;
    const location = await authorizeWithMaxAge(browser);
    expect(location.origin).toBe(idp.url);
    expect(location.pathname).toBe('/login');
    expect(location.searchParams.has('code')).toBe(false);
    const page = await browser.fetch(location);
    expect(page.status).toBe(200);
    expect(loginFormFields(await page.text()).authz).toBe(location.searchParams.get('authz'));
  });

  it('0.9 s after a login, max_age=1 answers with a code (single sign-on)', async () => {
    const { browser, loggedInAt } = await signedInBrowser();
    clock = loggedInAt + 900;
    const location = await authorizeWithMaxAge(browser);
    expect(location.origin + location.pathname).toBe(SHOP.redirectUri);
    expect(location.searchParams.get('code')).toBeTruthy();
  });

  it('OIDC Core 3.1.2.6: 1.5 s after a login, max_age=1 with prompt=none is login_required', async () => {
    const { browser, loggedInAt } = await signedInBrowser();
    clock = loggedInAt + 1500;
    const location = await authorizeWithMaxAge(browser, { prompt: 'none' });
    expect(location.origin + location.pathname).toBe(SHOP.redirectUri);
    expect(location.searchParams.get('error')).toBe('login_required');
    expect(location.searchParams.has('code')).toBe(false);
  });
});
