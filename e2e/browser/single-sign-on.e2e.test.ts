import { findTestPostgres, printOutputOnFailure } from '@latchkey/testing';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { startDemoStack, type DemoStack } from '../support/demo-stack.js';
import {
  logIn,
  onIdpLogin,
  recordNavigations,
  screenshot,
  shownTokenClaims,
  shownUsername,
  waitForIdpLogin,
} from '../support/pages.js';

// Steps 5 and 6 need the admin command to reach the IdP's directory: a PostgreSQL server
// (CI has one; without one they are skipped with the reason printed).
const postgres = await findTestPostgres();

/**
 * One person's browser (one context) through the demo: sign in once, use both apps, log out
 * in one, be revoked by an admin, switch user. The steps build on each other, in order.
 */
describe('single sign-on across the shop and the wiki, in Chromium', () => {
  let stack: DemoStack;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let context: BrowserContext;
  let shop: Page;
  let wiki: Page;
  let aliceSub: string;

  beforeAll(async () => {
    stack = await startDemoStack();
    browser = await launchChromium();
    context = browser.context;
    shop = context.pages()[0] ?? (await context.newPage());
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });
  printOutputOnFailure(() => stack?.output());

  const at = (app: 'shop' | 'wiki', path = '/') => `${stack.urls[app]}${path}`;
  const signIn = (page: Page, app: 'shop' | 'wiki', username: string, password: string) =>
    logIn(page, { issuer: stack.urls.idp, app: stack.urls[app] }, username, password);

  it('1. the shop sends an anonymous visitor to the IdP, and alice comes back signed in', async () => {
    await shop.goto(at('shop'));
    await waitForIdpLogin(shop, stack.urls.idp);
    await screenshot(shop, 'idp-login');
    await signIn(shop, 'shop', 'alice', 'wonderland-alice');
    expect(new URL(shop.url()).origin).toBe(stack.urls.shop);
    expect(await shownUsername(shop)).toBe('alice');
    aliceSub = ((await shop.getByTestId('sub').textContent()) ?? '').trim();
    expect(aliceSub).not.toBe('');
    await screenshot(shop, 'shop-signed-in', { docs: true });
  });

  it('2. the wiki signs her in through the IdP without asking for a password, with its own cookie', async () => {
    wiki = await context.newPage();
    const navigations = recordNavigations(wiki);
    await wiki.goto(at('wiki'));
    expect(await shownUsername(wiki)).toBe('alice');
    // It did go through the IdP (single sign-on, not a shared cookie), and not to its form.
    expect(navigations.some((url) => url.startsWith(`${stack.urls.idp}/authorize`))).toBe(true);
    expect(navigations.filter((url) => url.startsWith(`${stack.urls.idp}/login`))).toEqual([]);
    await screenshot(wiki, 'wiki-signed-in', { docs: true });

    const session = async (app: 'shop' | 'wiki') =>
      (await context.cookies(at(app))).filter(({ name }) => name === 'latchkey_session');
    const [shopCookies, wikiCookies] = [await session('shop'), await session('wiki')];
    expect(shopCookies).toHaveLength(1);
    expect(wikiCookies).toHaveLength(1);
    const [shopCookie, wikiCookie] = [shopCookies[0]!, wikiCookies[0]!];
    // Host-only cookies: each is sent to its own app and never to the other.
    expect(shopCookie.domain).toBe('shop.localhost');
    expect(wikiCookie.domain).toBe('wiki.localhost');
    expect(shopCookie.value).not.toBe(wikiCookie.value);
    for (const cookie of [shopCookie, wikiCookie]) {
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    }
  });

  it("3. the shop's page shows what the wiki's bearer-protected API answered for her", async () => {
    await shop.reload();
    const panel = shop.getByTestId('wiki-api-data');
    await panel.waitFor();
    expect(await shop.getByTestId('wiki-api-error').count()).toBe(0);
    expect(((await shop.getByTestId('wiki-api-user').textContent()) ?? '').trim()).toBe('alice');
    expect(await panel.locator('ul li').count()).toBeGreaterThan(0);
  });

  it('4. logging out in the wiki ends the session in the shop at once, long before the token expires', async () => {
    const { exp } = await shownTokenClaims(shop);
    await wiki.bringToFront();
    await wiki.getByTestId('logout').click();
    // The wiki's logout goes through the IdP's /logout and back to the wiki, which asks for a
    // login again.
    await waitForIdpLogin(wiki, stack.urls.idp);

    await shop.bringToFront();
    await shop.reload();
    await waitForIdpLogin(shop, stack.urls.idp);
    const refusedAt = Date.now() / 1000;
    // The shop's access token was still good for minutes: the revocation, not the expiry,
    // ended the session.
    expect(exp - refusedAt).toBeGreaterThan(120);
    expect(onIdpLogin(shop, stack.urls.idp)).toBe(true);
  });

  // The admin command reaches the IdP's directory only on a PostgreSQL server (CI has one).
  it.skipIf(!postgres.available)(
    "5. alice signs in again; revoking her sessions with the IdP's admin command signs both apps out",
    async () => {
      await signIn(shop, 'shop', 'alice', 'wonderland-alice');
      expect(await shownUsername(shop)).toBe('alice');
      await wiki.goto(at('wiki'));
      expect(await shownUsername(wiki)).toBe('alice');

      const revoked = await stack.revokeUser('alice');
      expect(revoked.code, revoked.output).toBe(0);

      for (const page of [shop, wiki]) {
        await page.reload();
        await waitForIdpLogin(page, stack.urls.idp);
        expect(onIdpLogin(page, stack.urls.idp)).toBe(true);
      }
    },
  );

  it.skipIf(!postgres.available)(
    '6. bob signs in after alice, and each app shows bob, never a stale alice',
    async () => {
      // Both tabs were sent to the login form in step 5; the shop's is the older of the two, and
      // must still work (one login-CSRF cookie per pending authorization, not per browser).
      await signIn(shop, 'shop', 'bob', 'builder-bob');
      expect(await shownUsername(shop)).toBe('bob');
      expect(((await shop.getByTestId('sub').textContent()) ?? '').trim()).not.toBe(aliceSub);
      expect(((await shop.getByTestId('wiki-api-user').textContent()) ?? '').trim()).toBe('bob');

      // The wiki tab still shows the login form of the flow the revocation started; a fresh
      // visit rides on bob's new IdP session.
      await wiki.goto(at('wiki'));
      expect(await shownUsername(wiki)).toBe('bob');
      for (const page of [shop, wiki]) {
        await page.reload();
        expect(await shownUsername(page)).toBe('bob');
        expect(await page.getByTestId('roles').textContent()).not.toContain('admin');
      }
    },
  );
});
