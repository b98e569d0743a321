import {
  findTestPostgres,
  linkIn,
  printOutputOnFailure,
  startSmtpCapture,
  type SmtpCapture,
} from '@latchkey/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { startDemoStack, type DemoStack } from '../support/demo-stack.js';
import { logIn, onIdpLogin, screenshot, shownUsername, waitForIdpLogin } from '../support/pages.js';

// The `users` command reaches the IdP's directory only on a PostgreSQL server (an embedded
// one belongs to the IdP's process): CI has one; without one step 4 is skipped, saying so.
const postgres = await findTestPostgres();

type Browser = Awaited<ReturnType<typeof launchChromium>>;
/** The pages the README shows: full length, copied into docs/ on request. */
const DOCS = { docs: true, fullPage: true };
const NEW_PASSWORD = 'a looking-glass, a chessboard and tea';

/**
 * A person's lifecycle through real pages, real mail and both demo apps: alice forgets her
 * password on one device while signed in on another; bob is disabled by an operator. Then the
 * pages the README shows, in English and Chinese. The steps build on each other, in order.
 */
describe('accounts: password reset by mail, disable, in Chromium', () => {
  let stack: DemoStack;
  let smtp: SmtpCapture;
  let laptop: Browser;
  let phone: Browser;
  let shop: Page;
  let wiki: Page;
  let resetLink: URL;

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    stack = await startDemoStack({
      idpEnv: { SMTP_URL: smtp.url, MAIL_FROM: 'Latchkey <no-reply@idp.localhost>' },
    });
    [laptop, phone] = await Promise.all([launchChromium(), launchChromium()]);
    shop = laptop.context.pages()[0] ?? (await laptop.context.newPage());
    wiki = await laptop.context.newPage();
  });
  afterAll(async () => {
    await Promise.all([laptop?.close(), phone?.close()]);
    await stack?.stop();
    await smtp?.close();
  });
  printOutputOnFailure(() => stack?.output());

  const at = (app: 'shop' | 'wiki', path = '/') => `${stack.urls[app]}${path}`;
  const signIn = (page: Page, app: 'shop' | 'wiki', username: string, password: string) =>
    logIn(page, { issuer: stack.urls.idp, app: stack.urls[app] }, username, password);
  /** Submits the login form and expects to stay on it, refused. */
  const refusedLogin = async (page: Page, username: string, password: string) => {
    await waitForIdpLogin(page, stack.urls.idp);
    await page.fill('input[name="username"]', username);
    await page.fill('input[name="password"]', password);
    await submit(page);
    expect(onIdpLogin(page, stack.urls.idp)).toBe(true);
    return ((await page.locator('.alert').textContent()) ?? '').trim();
  };

  it('1. alice is signed in to the shop and the wiki on her laptop', async () => {
    await shop.goto(at('shop'));
    await signIn(shop, 'shop', 'alice', 'wonderland-alice');
    await wiki.goto(at('wiki'));
    expect(await shownUsername(shop)).toBe('alice');
    expect(await shownUsername(wiki)).toBe('alice');
  });

  it('2. on her phone she clicks "Forgot password?", and the link arrives by mail from ISSUER', async () => {
    const page = phone.context.pages()[0] ?? (await phone.context.newPage());
    await page.goto(at('shop'));
    await waitForIdpLogin(page, stack.urls.idp);
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/forgot-password'),
      page.click('a[href="/forgot-password"]'),
    ]);
    await page.fill('input[name="email"]', 'Alice@Example.com');
    await submit(page);
    expect(page.url()).toContain('/forgot-password');

    const mail = await smtp.waitFor('alice@example.com', (m) => m.text.includes('/reset-password'));
    resetLink = linkIn(mail, '/reset-password');
    // Built from ISSUER, whatever Host the request carried.
    expect(resetLink.origin).toBe(stack.urls.idp);
  });

  it('3. the link sets a new password; both apps on the laptop are signed out at once; old fails, new works; the link fails a second time', async () => {
    const page = phone.context.pages()[0]!;
    const response = await page.goto(resetLink.href);
    expect(response?.headers()['referrer-policy']).toBe('no-referrer');
    await page.fill('input[name="password"]', NEW_PASSWORD);
    await page.fill('input[name="confirm"]', NEW_PASSWORD);
    await submit(page);
    expect(await page.locator('input[name="password"]').count()).toBe(0);
    // A completed reset does not sign her in on the phone.
    await page.goto(at('wiki'));
    await waitForIdpLogin(page, stack.urls.idp);

    // The laptop's sessions ended with the reset: the next click in either app asks again.
    for (const app of [shop, wiki]) {
      await app.reload();
      await waitForIdpLogin(app, stack.urls.idp);
    }
    const mail = await smtp.waitFor(
      'alice@example.com',
      (m) => !m.text.includes('/reset-password'),
    );
    expect(mail.subject).not.toBe('');

    const refusal = await refusedLogin(shop, 'alice', 'wonderland-alice');
    expect(refusal).not.toBe('');
    await signIn(shop, 'shop', 'alice', NEW_PASSWORD);
    expect(await shownUsername(shop)).toBe('alice');

    const again = await page.goto(resetLink.href);
    expect(again?.status()).toBeGreaterThanOrEqual(400);
    expect(await page.locator('input[name="password"]').count()).toBe(0);
  });

  it.skipIf(!postgres.available)(
    '4. bob, disabled by an operator, is signed out of both apps within a second and cannot log in',
    async () => {
      const bob = await launchChromium();
      try {
        const [bobShop, bobWiki] = [bob.context.pages()[0]!, await bob.context.newPage()];
        await bobShop.goto(at('shop'));
        await signIn(bobShop, 'shop', 'bob', 'builder-bob');
        await bobWiki.goto(at('wiki'));
        expect(await shownUsername(bobWiki)).toBe('bob');

        const disabled = await stack.users('disable', 'bob');
        expect(disabled.code, disabled.output).toBe(0);
        const commandDone = Date.now();
        for (const page of [bobShop, bobWiki]) {
          // The first request after the command is refused: no waiting for a token to expire.
          expect(Date.now() - commandDone).toBeLessThan(1_000);
          await page.reload();
          await waitForIdpLogin(page, stack.urls.idp);
        }
        const refusal = await refusedLogin(bobShop, 'bob', 'builder-bob');
        // Exactly what a wrong password gets: nothing tells a disabled account apart.
        expect(refusal).toBe(await refusedLogin(bobShop, 'bob', 'not-bobs-password'));
      } finally {
        await bob.close();
        await stack.users('enable', 'bob');
      }
    },
  );

  it('5. screenshots of the login, forgot-password and account pages, in English and Chinese', async () => {
    const camera = await launchChromium();
    try {
      const page = camera.context.pages()[0]!;
      const idp = stack.urls.idp;
      const langs = [
        ['en', ''],
        ['zh-CN', '-zh-CN'],
      ] as const;
      // Signed out: the login and forgot-password pages.
      for (const [lang, suffix] of langs) {
        await page.goto(`${idp}/account?lang=${lang}`);
        await waitForIdpLogin(page, idp);
        expect(await page.getAttribute('html', 'lang')).toBe(lang);
        await screenshot(page, `idp-login${suffix}`, DOCS);
        await page.goto(`${idp}/forgot-password?lang=${lang}`);
        await screenshot(page, `idp-forgot-password${suffix}`, DOCS);
      }
      // Signed in (the login page of /account leads back to it): the account page.
      await page.goto(`${idp}/account?lang=en`);
      await page.fill('input[name="username"]', 'alice');
      await page.fill('input[name="password"]', NEW_PASSWORD);
      await submit(page);
      for (const [lang, suffix] of langs) {
        await page.goto(`${idp}/account?lang=${lang}`);
        await page.locator('[data-action="change-password"]').waitFor();
        expect(await page.getAttribute('html', 'lang')).toBe(lang);
        await screenshot(page, `idp-account${suffix}`, DOCS);
      }
    } finally {
      await camera.close();
    }
  });
});

/** Submits the page's form and waits for the page it leads to (not the one already loaded). */
async function submit(page: Page): Promise<void> {
  await Promise.all([page.waitForEvent('load'), page.click('button[type="submit"]')]);
}
