import { request as httpRequest } from 'node:http';
import { printOutputOnFailure } from '@latchkey/testing';
import type { Page } from 'playwright-core';
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
const DOCS = { docs: true, fullPage: true };

/** A console action's request as the browser sent it, to send again with other headers. */
interface CapturedAction {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * The admin console through real pages: bob (a user) and alice (an admin) each in their own
 * browser, signed in at the shop first; the console lets alice in through single sign-on and
 * turns bob away; alice disables bob and his other apps' sessions end; the audit page shows it.
 * The steps build on each other, in order.
 */
describe('the admin console, in Chromium', () => {
  let stack: DemoStack;
  let alice: Browser;
  let bob: Browser;
  let bobShop: Page;
  let bobWiki: Page;
  let consolePage: Page;
  let auditPage: Page;

  beforeAll(async () => {
    stack = await startDemoStack({ console: true });
    [alice, bob] = await Promise.all([launchChromium(), launchChromium()]);
  });
  afterAll(async () => {
    await Promise.all([alice?.close(), bob?.close()]);
    await stack?.stop();
  });
  printOutputOnFailure(() => stack?.output());

  type App = 'shop' | 'wiki' | 'console';
  const at = (app: App, path = '/') => `${stack.urls[app]}${path}`;
  const signIn = (page: Page, app: App, username: string, password: string) =>
    logIn(page, { issuer: stack.urls.idp, app: stack.urls[app] }, username, password);
  /** An action's button once React has hydrated its form (else the answer would be lost). */
  const action = (page: Page, testId: string) =>
    page.locator(`form[data-hydrated] [data-testid="${testId}"]`);
  const openUser = async (page: Page, username: string) => {
    await page.goto(at('console', `/users?search=${username}`));
    await page.locator(`[data-testid="user-row"][data-username="${username}"] a`).click();
    await page.getByTestId('user-name').filter({ hasText: username }).waitFor();
  };

  it('1. bob, signed in at the shop and the wiki, gets a 403 page from the console, with no data', async () => {
    bobShop = bob.context.pages()[0] ?? (await bob.context.newPage());
    await bobShop.goto(at('shop'));
    // A mistyped password first: the overview's chart has a failure to show.
    await waitForIdpLogin(bobShop, stack.urls.idp);
    await bobShop.fill('input[name="username"]', 'bob');
    await bobShop.fill('input[name="password"]', 'builder-bop');
    await Promise.all([bobShop.waitForLoadState('load'), bobShop.click('button[type="submit"]')]);
    await signIn(bobShop, 'shop', 'bob', 'builder-bob');
    bobWiki = await bob.context.newPage();
    await bobWiki.goto(at('wiki'));
    expect(await shownUsername(bobWiki)).toBe('bob');

    const page = await bob.context.newPage();
    for (const path of ['/', '/users', '/audit', '/keys']) {
      const response = await page.goto(at('console', path));
      expect(response?.status(), path).toBe(403);
      await page.getByTestId('forbidden').waitFor();
      const text = await page.locator('body').innerText();
      // None of the IdP's data: no user, no event, no key.
      expect(text).not.toMatch(/alice|login\.succeeded|ES256|RS256/);
    }
    // The live tail's feed is refused the same way.
    const feed = await page.evaluate(async () => (await fetch('/audit/feed?after=0')).status);
    expect(feed).toBe(403);
    await page.close();
  });

  it('2. alice, signed in at the shop, enters the console through single sign-on with no password asked', async () => {
    const shop = alice.context.pages()[0] ?? (await alice.context.newPage());
    await shop.goto(at('shop'));
    await signIn(shop, 'shop', 'alice', 'wonderland-alice');

    consolePage = await alice.context.newPage();
    const navigations = recordNavigations(consolePage);
    await consolePage.goto(at('console'));
    expect(await shownUsername(consolePage)).toBe('alice');
    expect(navigations.some((url) => url.startsWith(`${stack.urls.idp}/authorize`))).toBe(true);
    expect(navigations.filter((url) => url.startsWith(`${stack.urls.idp}/login`))).toEqual([]);

    // The overview counts what happened: two logins, bob's failed one, two live sessions.
    expect(
      Number(await consolePage.getByTestId('stat-logins').textContent()),
    ).toBeGreaterThanOrEqual(2);
    expect(Number(await consolePage.getByTestId('stat-failures').textContent())).toBe(1);
    expect(
      Number(await consolePage.getByTestId('stat-sessions').textContent()),
    ).toBeGreaterThanOrEqual(2);
    await consolePage.getByTestId('key-timeline').waitFor();
    await screenshot(consolePage, 'console-overview', DOCS);
  });

  it("3. alice disables bob on his page, and bob's shop and wiki sessions end at once", async () => {
    await consolePage.goto(at('console', '/users'));
    await consolePage.getByTestId('users-table').waitFor();
    await screenshot(consolePage, 'console-users', DOCS);

    await openUser(consolePage, 'bob');
    await action(consolePage, 'disable-user').click();
    // The action's answer first: a refusal would show here, with the API's reason.
    await expect
      .poll(() => consolePage.getByRole('status').first().textContent())
      .toContain('bob is disabled and signed out everywhere');
    await expect.poll(() => consolePage.getByTestId('user-state').textContent()).toBe('disabled');

    await screenshot(consolePage, 'console-user', { fullPage: true });

    for (const page of [bobShop, bobWiki]) {
      await page.reload();
      await waitForIdpLogin(page, stack.urls.idp);
    }
  });

  it('4. the audit page shows the disable and the end of his session, alice as the actor', async () => {
    auditPage = await alice.context.newPage();
    await auditPage.goto(at('console', '/audit'));
    const row = (type: string) =>
      auditPage.locator(`tbody:not([data-testid="live-rows"]) [data-type="${type}"]`).first();
    for (const type of ['user.disabled', 'session.revoked']) {
      expect(await row(type).getByTestId('audit-actor').textContent(), type).toBe('alice');
      expect(await row(type).getByTestId('audit-subject').textContent(), type).toBe('bob');
    }
    await screenshot(auditPage, 'console-audit', DOCS);
  });

  it('5. the live tail shows alice enabling bob again, without a reload', async () => {
    await auditPage.getByTestId('live-status').waitFor();
    await consolePage.bringToFront();
    await action(consolePage, 'enable-user').click();
    await expect.poll(() => consolePage.getByTestId('user-state').textContent()).toBe('active');
    await auditPage.bringToFront();
    const fresh = auditPage.locator('[data-testid="live-rows"] [data-type="user.enabled"]');
    await fresh.waitFor({ timeout: 15_000 });
    expect(await fresh.getByTestId('audit-actor').textContent()).toBe('alice');
  });

  it('6. sessions, clients and keys answer; a reset link is shown once; rotating asks for confirmation first', async () => {
    await consolePage.goto(at('console', '/sessions'));
    // alice's own session, the console's and the shop's single sign-on one.
    await consolePage
      .locator('[data-testid="session-row"][data-username="alice"]')
      .first()
      .waitFor();
    await consolePage.goto(at('console', '/clients'));
    expect(await consolePage.locator('main').innerText()).toMatch(/Clients/);
    // A third-party command-line tool: public, native, device grant, loopback redirect, DPoP, PAR.
    const form = consolePage.locator('form[data-hydrated]:has([data-testid="register-client"])');
    await form.locator('input[name="client_id"]').fill('e2e-native-tool');
    await form.locator('input[name="client_name"]').fill('E2E native tool');
    await form.locator('select[name="token_endpoint_auth_method"]').selectOption('none');
    await form.locator('select[name="application_type"]').selectOption('native');
    await form.locator('textarea[name="redirect_uris"]').fill('http://127.0.0.1/callback');
    await form.locator('textarea[name="resources"]').fill('http://wiki.localhost:3002/api');
    await form.locator('input[value="urn:ietf:params:oauth:grant-type:device_code"]').check();
    await form.locator('input[name="third_party"]').check();
    await form.locator('input[name="dpop"]').check();
    await form.locator('input[name="par"]').check();
    await action(consolePage, 'register-client').click();
    await expect
      .poll(() => consolePage.getByTestId('action-result').textContent())
      .toContain('Registered e2e-native-tool');
    const row = consolePage.locator('[data-testid="clients-table"] tr', {
      hasText: 'e2e-native-tool',
    });
    await row.waitFor();
    const badges = await row.locator('.badge').allTextContents();
    expect(badges).toEqual(['public', 'native', 'third-party', 'DPoP', 'PAR']);
    expect(await row.innerText()).toContain('device_code (TVs, CLIs)');

    // A reset link for bob, shown once, pointing at the IdP's public reset page.
    await openUser(consolePage, 'bob');
    await action(consolePage, 'reset-link').click();
    const link = await consolePage.getByTestId('one-time-secret').textContent();
    expect(link).toMatch(new RegExp(`^${stack.urls.idp}/reset-password\\?token=`));

    await consolePage.goto(at('console', '/keys'));
    const before = await consolePage.getByTestId('key-row').count();
    // The button only opens the warning; the rotation is the second click.
    await consolePage.getByTestId('rotate-keys-open').click();
    expect(await consolePage.getByTestId('key-row').count()).toBe(before);
    await action(consolePage, 'rotate-keys').click();
    await expect.poll(() => consolePage.getByTestId('key-row').count()).toBeGreaterThan(before);
    expect(await consolePage.getByTestId('action-result').textContent()).toContain('Rotated');
    await screenshot(consolePage, 'console-keys', { fullPage: true });
  });

  it('7. a console action sent from another site is refused, and the same request from the console works', async () => {
    // The real request of the Disable button, held back, then sent again with other headers
    // and alice's session cookie, as a forging page would make her browser send it.
    await openUser(consolePage, 'bob');
    let captured: CapturedAction | undefined;
    await consolePage.route(`${stack.urls.console}/**`, async (route) => {
      const sent = route.request();
      if (sent.method() !== 'POST') return route.continue();
      captured = {
        path: new URL(sent.url()).pathname,
        headers: await sent.allHeaders(),
        body: sent.postDataBuffer() ?? Buffer.alloc(0),
      };
      return route.abort();
    });
    await action(consolePage, 'disable-user').click();
    await expect.poll(() => captured !== undefined).toBe(true);
    await consolePage.unroute(`${stack.urls.console}/**`);
    const cookie = (await alice.context.cookies(stack.urls.console))
      .map(({ name, value }) => `${name}=${value}`)
      .join('; ');
    const send = (headers: Record<string, string>) =>
      replay(stack.internal.console, captured!, { ...headers, cookie });
    const state = async () => {
      await consolePage.reload();
      return consolePage.getByTestId('user-state').textContent();
    };
    const host = new URL(stack.urls.console).host;

    const crossSite = await send({
      host,
      origin: 'http://evil.localhost:8080',
      'sec-fetch-site': 'cross-site',
    });
    expect(crossSite.status).toBeGreaterThanOrEqual(400);
    expect(await state()).toBe('active');

    // Origin and Host agree (a proxy that rewrote both), but the browser says cross-site.
    const forwarded = await send({
      host,
      origin: stack.urls.console,
      'sec-fetch-site': 'same-site',
    });
    expect(forwarded.body).toContain('Refused');
    expect(await state()).toBe('active');

    const sameOrigin = await send({
      host,
      origin: stack.urls.console,
      'sec-fetch-site': 'same-origin',
    });
    expect(sameOrigin.status).toBe(200);
    expect(await state()).toBe('disabled');
  });
});

/** Sends a captured action again over plain HTTP, with `headers` replacing the browser's. */
function replay(
  base: string,
  action: CapturedAction,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const kept = Object.fromEntries(
    Object.entries(action.headers).filter(
      ([name]) => !/^(host|origin|cookie|sec-fetch-|content-length)/i.test(name),
    ),
  );
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      `${base}${action.path}`,
      { method: 'POST', headers: { ...kept, ...headers } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(action.body);
  });
}
