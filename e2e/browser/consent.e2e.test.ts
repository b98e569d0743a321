import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { printOutputOnFailure } from '@latchkey/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { startDemoStack, type DemoStack } from '../support/demo-stack.js';
import { screenshot, waitForIdpLogin } from '../support/pages.js';

type Browser = Awaited<ReturnType<typeof launchChromium>>;
const NAVIGATION_TIMEOUT_MS = 30_000;
const BOB = { username: 'bob', password: 'builder-bob' };
/** The demo's third-party client (apps/idp/demo/clients.json), moved to this run's port. */
const PARTNER = { id: 'partner', secret: 'partner-demo-secret', redirectUri: '' };

/**
 * Consent for a third-party client in a real Chromium: bob meets the Partner Calendar's
 * consent page in Chinese and denies it, then in English and allows it; the next
 * authorization is not asked again; "Remove access" on the account page makes the one after
 * ask again. The partner's callback is a plain loopback HTTP server: the test reads the
 * redirect the IdP sent (its code or error) from the browser's URL. The steps build on each
 * other.
 */
describe('consent in Chromium: the Partner Calendar (first_party: false)', () => {
  let stack: DemoStack;
  let browser: Browser;
  let page: Page;
  let partner: Server;

  beforeAll(async () => {
    partner = createServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/plain' }).end('the partner callback');
    });
    await new Promise<void>((resolve) => partner.listen(0, '127.0.0.1', resolve));
    const partnerUrl = `http://partner.localhost:${(partner.address() as AddressInfo).port}`;
    PARTNER.redirectUri = `${partnerUrl}/auth/callback`;
    stack = await startDemoStack({ partnerUrl });
    browser = await launchChromium();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await new Promise((resolve) => partner?.close(resolve));
  });
  printOutputOnFailure(() => stack?.output());

  const idp = (path: string) => `${stack.urls.idp}${path}`;

  /** Opens /authorize for the partner; the PKCE verifier and state to check the answer by. */
  const authorize = async (extra: Record<string, string> = {}) => {
    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(12).toString('base64url');
    const url = new URL(idp('/authorize'));
    const params = {
      response_type: 'code',
      client_id: PARTNER.id,
      redirect_uri: PARTNER.redirectUri,
      scope: 'openid profile email',
      state,
      nonce: randomBytes(12).toString('base64url'),
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      ...extra,
    };
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    await page.goto(url.href);
    return { verifier, state };
  };
  /** Waits for the browser to land on the partner's callback; its query. */
  const callback = async (): Promise<URLSearchParams> => {
    await page.waitForURL((url) => url.href.startsWith(PARTNER.redirectUri), {
      timeout: NAVIGATION_TIMEOUT_MS,
    });
    return new URL(page.url()).searchParams;
  };
  const onConsentPage = async () => {
    await page.locator('button[name="decision"][value="allow"]').waitFor({
      timeout: NAVIGATION_TIMEOUT_MS,
    });
    return ((await page.locator('main, body').first().textContent()) ?? '').replace(/\s+/g, ' ');
  };

  it('1. in Chinese (ui_locales=zh-CN): the consent page names the app and each scope; Deny sends access_denied with state', async () => {
    const { state } = await authorize({ ui_locales: 'zh-CN' });
    await waitForIdpLogin(page, stack.urls.idp);
    await page.fill('input[name="username"]', BOB.username);
    await page.fill('input[name="password"]', BOB.password);
    await page.click('button[type="submit"]');
    const text = await onConsentPage();
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(text).toContain('允许 Partner Calendar 使用您的账号？');
    expect(text).toContain('查看您的姓名和用户名');
    expect(text).toContain('查看您的电子邮箱地址');
    expect(text).toContain('bob');
    await screenshot(page, 'idp-consent-zh-CN', { docs: true });
    await page.click('button[name="decision"][value="deny"]');
    const answer = await callback();
    expect(answer.get('error')).toBe('access_denied');
    expect(answer.get('state')).toBe(state);
    expect(answer.get('iss')).toBe(stack.urls.idp);
  });

  it('2. in English: Allow sends a code that the partner redeems', async () => {
    const { state, verifier } = await authorize({ ui_locales: 'en' });
    const text = await onConsentPage();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(text).toContain('Allow Partner Calendar to use your account?');
    expect(text).toContain('see your email address');
    await screenshot(page, 'idp-consent', { docs: true });
    await page.click('button[name="decision"][value="allow"]');
    const answer = await callback();
    expect(answer.get('state')).toBe(state);
    const tokens = await fetch(`${stack.internal.idp}/token`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${PARTNER.id}:${PARTNER.secret}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: answer.get('code') ?? '',
        redirect_uri: PARTNER.redirectUri,
        code_verifier: verifier,
      }),
    });
    expect(tokens.status).toBe(200);
  });

  it('3. the remembered grant is not asked again', async () => {
    const { state } = await authorize();
    const answer = await callback();
    expect(answer.get('code')).toBeTruthy();
    expect(answer.get('state')).toBe(state);
  });

  it('4. "Remove access" on the account page; the next authorization asks again', async () => {
    await page.goto(idp('/account?lang=en'));
    const apps = page.locator('section[aria-labelledby="apps"]');
    expect(await apps.textContent()).toContain('Partner Calendar');
    await Promise.all([
      page.waitForURL((url) => url.searchParams.get('done') === 'access-removed', {
        timeout: NAVIGATION_TIMEOUT_MS,
      }),
      apps.locator('button[data-action="remove-access"]').click(),
    ]);
    expect(await apps.textContent()).not.toContain('Partner Calendar');
    await authorize();
    expect(await onConsentPage()).toContain('Partner Calendar');
  });
});
