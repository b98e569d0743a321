import { printOutputOnFailure } from '@latchkey/testing';
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { startDemoStack, type DemoStack } from '../support/demo-stack.js';
import {
  logIn,
  recordNavigations,
  screenshot,
  shownUsername,
  waitForIdpLogin,
} from '../support/pages.js';

type Browser = Awaited<ReturnType<typeof launchChromium>>;
const NAVIGATION_TIMEOUT_MS = 30_000;

/**
 * Passkeys in a real Chromium, with a virtual authenticator from the DevTools protocol (a
 * platform authenticator with resident keys and user verification that always succeeds):
 * alice enrols a passkey on the account page, signs out, and signs in again with the passkey
 * alone, her username never typed; bob, with a password and a passkey, is asked for the
 * passkey after his password. The steps build on each other, in order.
 */
describe('passkeys in Chromium, with a virtual authenticator', () => {
  let stack: DemoStack;
  let browser: Browser;
  let page: Page;
  let devtools: CDPSession;
  let authenticatorId: string;

  beforeAll(async () => {
    stack = await startDemoStack();
    browser = await launchChromium();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    // WebAuthn §"WebDriver extension" through CDP: the authenticator lives with this tab.
    devtools = await browser.context.newCDPSession(page);
    await devtools.send('WebAuthn.enable', { enableUI: false });
    ({ authenticatorId } = await devtools.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    }));
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });
  printOutputOnFailure(() => stack?.output());

  const shop = (path = '/') => `${stack.urls.shop}${path}`;
  const idp = (path: string) => `${stack.urls.idp}${path}`;
  const credentials = async () =>
    (
      (await devtools.send('WebAuthn.getCredentials', {
        authenticatorId,
      })) as { credentials: { isResidentCredential: boolean; userHandle?: string }[] }
    ).credentials;
  /** Enrols a passkey for whoever is signed in, from the account page. */
  const enrol = async (name: string) => {
    await page.goto(idp('/account'));
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/account/passkeys'),
      page.click('a[href="/account/passkeys"]'),
    ]);
    const add = page.locator('button[data-action="add-passkey"]');
    await add.waitFor({ timeout: NAVIGATION_TIMEOUT_MS });
    await page.fill('input[name="name"]#new-passkey-name', name);
    await Promise.all([
      page.waitForURL((url) => url.searchParams.get('done') === 'passkey-added', {
        timeout: NAVIGATION_TIMEOUT_MS,
      }),
      add.click(),
    ]);
    expect(await page.locator('li[data-passkey-id] .device').allTextContents()).toContain(name);
  };

  const signOutOfShop = async () => {
    await page.goto(shop());
    await page.getByTestId('logout').click();
    await waitForIdpLogin(page, stack.urls.idp);
  };
  const backAtShop = () =>
    page.waitForURL(
      (url) => url.origin === new URL(stack.urls.shop).origin && url.pathname === '/',
      { timeout: NAVIGATION_TIMEOUT_MS },
    );

  it('1. alice signs in to the shop with her password and enrols a passkey on the account page', async () => {
    await page.goto(shop());
    await logIn(
      page,
      { issuer: stack.urls.idp, app: stack.urls.shop },
      'alice',
      'wonderland-alice',
    );
    expect(await shownUsername(page)).toBe('alice');
    await enrol('Chromium');
    await screenshot(page, 'passkeys-account');
    const stored = await credentials();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.isResidentCredential).toBe(true);
    // The user handle the authenticator keeps is opaque: not her name, not her email.
    const handle = Buffer.from(stored[0]!.userHandle ?? '', 'base64').toString('latin1');
    expect(handle).not.toContain('alice');
  });

  it('2. she signs out; the login form offers her passkey in the username field (conditional UI) and signs her in', async () => {
    // The virtual authenticator answers the form's conditional request at once, as a person
    // picking the passkey from the username field's suggestions would: no username typed.
    await page.goto(shop());
    const urls = recordNavigations(page);
    await page.getByTestId('logout').click();
    await backAtShop();
    expect(urls.some((url) => new URL(url).pathname === '/login')).toBe(true);
    expect(urls.some((url) => new URL(url).pathname === '/login/passkey')).toBe(true);
    expect(await shownUsername(page)).toBe('alice');
  });

  it('3. without conditional UI, she signs in with the passkey button alone, without typing her username', async () => {
    // A browser without passkey autofill: the button is the way.
    await page.addInitScript(() => {
      Object.defineProperty(PublicKeyCredential, 'isConditionalMediationAvailable', {
        value: () => Promise.resolve(false),
      });
    });
    await signOutOfShop();
    const button = page.locator('button[data-action="passkey-login"]');
    await button.waitFor({ timeout: NAVIGATION_TIMEOUT_MS });
    await screenshot(page, 'passkeys-login');
    expect(await page.inputValue('input[name="username"]')).toBe('');
    await Promise.all([backAtShop(), button.click()]);
    expect(await shownUsername(page)).toBe('alice');
  });

  it('4. bob, with a password and a passkey, is asked for the passkey after the password', async () => {
    await signOutOfShop();
    await logIn(page, { issuer: stack.urls.idp, app: stack.urls.shop }, 'bob', 'builder-bob');
    expect(await shownUsername(page)).toBe('bob');
    await enrol('Bob’s Chromium');
    await signOutOfShop();

    await page.fill('input[name="username"]', 'bob');
    await page.fill('input[name="password"]', 'builder-bob');
    await Promise.all([
      page.waitForURL((url) => url.pathname.startsWith('/login/second-factor'), {
        timeout: NAVIGATION_TIMEOUT_MS,
      }),
      page.click('button[type="submit"]'),
    ]);
    // The second step offers the passkey (beside the code field); its own page runs the
    // ceremony with bob's credentials only.
    expect(new URL(page.url()).pathname).toBe('/login/second-factor');
    const offered = page.locator('[data-action="passkey-second-factor"]');
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/login/second-factor/passkey'),
      offered.click(),
    ]);
    await offered.waitFor({ timeout: NAVIGATION_TIMEOUT_MS });
    await Promise.all([backAtShop(), offered.click()]);
    expect(await shownUsername(page)).toBe('bob');
  });
});
