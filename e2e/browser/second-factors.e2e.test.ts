import { printOutputOnFailure } from '@latchkey/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { startDemoStack, type DemoStack } from '../support/demo-stack.js';
import { logIn, recordNavigations, screenshot, shownUsername } from '../support/pages.js';
import { authenticatorApp } from '../support/totp.js';

type Browser = Awaited<ReturnType<typeof launchChromium>>;
const NAVIGATION_TIMEOUT_MS = 30_000;
const BOB = { username: 'bob', password: 'builder-bob' };

/**
 * TOTP, recovery codes and step-up in a real Chromium: bob, signed in to the shop and the
 * wiki with his password, enrols an authenticator app on the IdP's account page; the wiki's
 * Edit then asks for a code and comes back to the edit, while the shop's session (the same
 * sid) stays signed in; a fresh login asks for password and code (amr pwd, otp); a recovery
 * code works once and is refused, readably, the second time. The steps build on each other.
 */
describe('second factors in Chromium: TOTP, recovery codes, the wiki’s step-up', () => {
  let stack: DemoStack;
  let browser: Browser;
  let page: Page;
  let app: ReturnType<typeof authenticatorApp>;
  let recoveryCodes: string[];
  let shopSid: string;

  beforeAll(async () => {
    stack = await startDemoStack();
    browser = await launchChromium();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });
  printOutputOnFailure(() => stack?.output());

  const shop = (path = '/') => `${stack.urls.shop}${path}`;
  const wiki = (path = '/') => `${stack.urls.wiki}${path}`;
  const idp = (path: string) => `${stack.urls.idp}${path}`;
  const at = (origin: string, pathname: string) =>
    page.waitForURL((url) => url.origin === new URL(origin).origin && url.pathname === pathname, {
      timeout: NAVIGATION_TIMEOUT_MS,
    });
  const text = async (testId: string) =>
    ((await page.getByTestId(testId).first().textContent()) ?? '').trim();

  /** Signs out of the shop (and so of the IdP); the shop sends the browser to the login form. */
  const signOut = async () => {
    await page.goto(shop());
    await Promise.all([at(stack.urls.idp, '/login'), page.getByTestId('logout').click()]);
  };
  /** Username and password on the IdP's form; the second step's page follows. */
  const password = async () => {
    await page.fill('input[name="username"]', BOB.username);
    await page.fill('input[name="password"]', BOB.password);
    await Promise.all([
      at(stack.urls.idp, '/login/second-factor'),
      page.click('button[type="submit"]'),
    ]);
  };
  /** Types `code` into the second step's field and submits it. */
  const secondFactor = async (code: string, then: Promise<unknown>) => {
    await page.fill('input[name="code"]', code);
    await Promise.all([then, page.click('button[type="submit"]')]);
  };

  it('1. bob signs in to the shop and the wiki with his password only, and enrols TOTP on the account page', async () => {
    await page.goto(shop());
    await logIn(page, { issuer: stack.urls.idp, app: stack.urls.shop }, BOB.username, BOB.password);
    expect(await shownUsername(page)).toBe('bob');
    expect(JSON.parse(await text('token-amr'))).toEqual(['pwd']);
    shopSid = await text('sid');
    await page.goto(wiki());
    await at(stack.urls.wiki, '/');
    expect(await text('sid')).toBe(shopSid);

    await page.goto(idp('/account'));
    await Promise.all([
      at(stack.urls.idp, '/account/two-factor/totp'),
      page.click('a[data-action="add-totp"]'),
    ]);
    const secret = await page.locator('[data-totp-secret]').getAttribute('data-totp-secret');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    app = authenticatorApp(secret!);
    await page.fill('input[name="code"]', await app.nextCode());
    await page.click('button[data-action="confirm-totp"]');
    const codes = page.locator('ul[data-recovery-codes] code');
    await codes.first().waitFor({ timeout: NAVIGATION_TIMEOUT_MS });
    recoveryCodes = (await codes.allTextContents()).map((code) => code.trim());
    expect(recoveryCodes).toHaveLength(10);
  });

  it('2. the wiki’s Edit asks for a code (step-up), comes back to the edit; the shop keeps its sid', async () => {
    await page.goto(wiki('/pages/single-sign-on'));
    const urls = recordNavigations(page);
    await Promise.all([
      at(stack.urls.idp, '/login/second-factor'),
      page.getByTestId('edit-page').click(),
    ]);
    // Only the missing factor: no password form on the way.
    expect(urls.some((url) => new URL(url).pathname === '/login')).toBe(false);
    await secondFactor(await app.nextCode(), at(stack.urls.wiki, '/pages/single-sign-on/edit'));
    await page.getByTestId('edit-form').waitFor({ timeout: NAVIGATION_TIMEOUT_MS });
    expect((await text('amr')).split(' ')).toEqual(['pwd', 'otp', 'mfa']);
    await screenshot(page, 'wiki-edit-after-step-up');

    // The IdP session was stepped up in place: the same sid, and the shop still signed in.
    await page.goto(wiki());
    await at(stack.urls.wiki, '/');
    expect(await text('sid')).toBe(shopSid);
    expect(await text('token-acr')).toBe('urn:latchkey:acr:mfa');
    await page.goto(shop());
    await at(stack.urls.shop, '/');
    expect(await shownUsername(page)).toBe('bob');
    expect(await text('sid')).toBe(shopSid);
    // The shop keeps the tokens of its own (password) sign-in: plain sign-in is its level.
    expect(JSON.parse(await text('token-amr'))).toEqual(['pwd']);
  });

  it('3. after logging out, a login asks for the password and the code: amr pwd and otp', async () => {
    await signOut();
    await password();
    await secondFactor(await app.nextCode(), at(stack.urls.shop, '/'));
    expect(await shownUsername(page)).toBe('bob');
    // The ID token's amr and acr, as the token inspector shows them.
    expect(JSON.parse(await text('token-amr'))).toEqual(expect.arrayContaining(['pwd', 'otp']));
    expect(await text('token-acr')).toBe('urn:latchkey:acr:mfa');
    expect(await text('sid')).not.toBe(shopSid);
  });

  it('4. a recovery code signs him in once; the second time it is refused with a readable message', async () => {
    const [code] = recoveryCodes;
    await signOut();
    await password();
    await secondFactor(code!, at(stack.urls.shop, '/'));
    expect(await shownUsername(page)).toBe('bob');

    await signOut();
    await password();
    await page.fill('input[name="code"]', code!);
    const [answer] = await Promise.all([
      page.waitForResponse(
        (response) =>
          response.request().method() === 'POST' &&
          new URL(response.url()).pathname === '/login/second-factor',
      ),
      page.click('button[type="submit"]'),
    ]);
    expect(answer.status()).toBe(401);
    expect(new URL(page.url()).pathname).toBe('/login/second-factor');
    await expect
      .poll(() => page.locator('#code-error').textContent())
      .toContain('That code is not right, or it was already used.');
  });
});
