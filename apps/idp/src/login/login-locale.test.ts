import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../i18n/catalogue-en.js';
import { zhCN } from '../i18n/catalogue-zh-cn.js';
import { LANGUAGE_COOKIE } from '../i18n/language-cookie.js';
import {
  authorizeUrl,
  createBrowser,
  loginFormFields,
  type Browser,
} from '../test-support/browser.js';
import { startTestIdp, type TestIdp } from '../test-support/test-idp.js';

const SHOP = { clientId: 'shop', redirectUri: 'http://shop.localhost:3001/auth/callback' };

let idp: TestIdp;
beforeAll(async () => {
  idp = await startTestIdp();
});
afterAll(() => idp.close());

/** Starts a sign-in and opens its login form; `headers` go with both requests. */
async function openLoginForm(
  browser: Browser,
  extra: Record<string, string> = {},
  headers: Record<string, string> = {},
) {
  const { url } = authorizeUrl(idp.url, { ...SHOP, extra });
  const redirect = await browser.fetch(url, { headers });
  expect(redirect.status).toBe(303);
  const loginUrl = new URL(redirect.headers.get('location')!, idp.url);
  const page = await browser.fetch(loginUrl, { headers });
  expect(page.status).toBe(200);
  return { loginUrl, html: await page.text() };
}

/** The locale a page was rendered in, read from `<html lang>`. */
function langOf(html: string): string | undefined {
  return /<html lang="([^"]+)">/.exec(html)?.[1];
}

describe('the login page speaks the reader’s language', () => {
  it('OIDC ui_locales=zh-CN at /authorize leads to a login page in Chinese', async () => {
    const { html } = await openLoginForm(createBrowser(), { ui_locales: 'zh-CN' });
    expect(langOf(html)).toBe('zh-CN');
    expect(html).toContain(zhCN['login.ssoNote']);
    expect(html).not.toContain(en['login.ssoNote']);
  });

  it('ui_locales beats the language cookie and Accept-Language; its first supported tag wins', async () => {
    const browser = createBrowser();
    browser.setCookie(idp.url, LANGUAGE_COOKIE, 'en');
    const { html } = await openLoginForm(
      browser,
      { ui_locales: 'fr-CA zh-Hans en' },
      { 'Accept-Language': 'en' },
    );
    expect(langOf(html)).toBe('zh-CN');
  });

  it('without ui_locales: the cookie beats Accept-Language, which beats the English default', async () => {
    const chinese = { 'Accept-Language': 'fr;q=0.9, zh-CN;q=0.8, en;q=0.1' };
    expect(langOf((await openLoginForm(createBrowser(), {}, chinese)).html)).toBe('zh-CN');
    const browser = createBrowser();
    browser.setCookie(idp.url, LANGUAGE_COOKIE, 'en');
    expect(langOf((await openLoginForm(browser, {}, chinese)).html)).toBe('en');
    expect(langOf((await openLoginForm(createBrowser())).html)).toBe('en');
  });

  it('unsupported or malformed ui_locales are no error: the sign-in goes on in the next choice', async () => {
    const { html } = await openLoginForm(createBrowser(), { ui_locales: 'tlh ;;; x-klingon' });
    expect(langOf(html)).toBe('en');
  });

  it('the switcher: ?lang= shows the form in that language and remembers it in a cookie', async () => {
    const browser = createBrowser();
    const { loginUrl } = await openLoginForm(browser, { ui_locales: 'zh-CN' });
    const switched = await browser.fetch(`${loginUrl.href}&lang=en`);
    expect(switched.status).toBe(200);
    expect(langOf(await switched.text())).toBe('en');
    const cookie = switched.headers
      .getSetCookie()
      .find((line) => line.startsWith(`${LANGUAGE_COOKIE}=`));
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/^latchkey_lang=en;/);
    expect(cookie).toMatch(/; path=\//i);
    expect(cookie).toMatch(/; samesite=lax/i);
    expect(cookie).not.toMatch(/httponly/i);
    const expires = Date.parse(/expires=([^;]+)/i.exec(cookie!)?.[1] ?? '');
    expect(expires - Date.now()).toBeGreaterThan(364 * 24 * 3600 * 1000);
    expect(browser.cookie(idp.url, LANGUAGE_COOKIE)).toBe('en');
  });

  it('the switcher ignores a language we do not have (no cookie, no error)', async () => {
    const browser = createBrowser();
    const { loginUrl } = await openLoginForm(browser);
    const page = await browser.fetch(`${loginUrl.href}&lang=${'x'.repeat(3000)}`);
    expect(page.status).toBe(200);
    expect(browser.cookie(idp.url, LANGUAGE_COOKIE)).toBeUndefined();
  });

  it('a failed sign-in answers in the language the form was shown in', async () => {
    const browser = createBrowser();
    const { html } = await openLoginForm(browser, {}, { 'Accept-Language': 'zh-CN' });
    const failed = await browser.post(new URL('/login', idp.url), {
      ...loginFormFields(html),
      lang: 'zh-CN',
      username: 'alice',
      password: 'not-her-password',
    });
    expect(failed.status).toBe(401);
    const page = await failed.text();
    expect(langOf(page)).toBe('zh-CN');
    expect(page).toContain(zhCN['login.error.wrongCredentials']);
  });

  it('the page hooks stay in Chinese: username, password, CSRF, the submit button', async () => {
    const { html } = await openLoginForm(createBrowser(), { ui_locales: 'zh-CN' });
    expect(loginFormFields(html).csrf).toBeTruthy();
    for (const hook of ['name="username"', 'name="password"', '<button type="submit">']) {
      expect(html).toContain(hook);
    }
  });
});

describe('the other pages follow the same choice', () => {
  it('an /authorize error page honours ui_locales', async () => {
    const url = new URL('/authorize', idp.url);
    url.search = new URLSearchParams({
      client_id: 'no-such-client',
      ui_locales: 'zh-CN',
    }).toString();
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(langOf(html)).toBe('zh-CN');
    expect(html).toContain(zhCN['error.invalidRequest.message']);
  });

  it('the signed-out page honours Accept-Language', async () => {
    const response = await fetch(new URL('/logout', idp.url), {
      headers: { 'Accept-Language': 'zh-CN' },
      redirect: 'manual',
    });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(langOf(html)).toBe('zh-CN');
    expect(html).toContain(zhCN['logout.signedOut.heading']);
  });

  it('a 10 KB Accept-Language header is no trouble', async () => {
    const response = await fetch(new URL('/logout', idp.url), {
      headers: { 'Accept-Language': `${'x-junk;q=0.1,'.repeat(780)}zh-CN` },
      redirect: 'manual',
    });
    expect(response.status).toBe(200);
    expect(langOf(await response.text())).toBe('en');
  });

  it('discovery advertises ui_locales_supported', async () => {
    const response = await fetch(new URL('/.well-known/openid-configuration', idp.url));
    const metadata = (await response.json()) as { ui_locales_supported?: unknown };
    expect(metadata.ui_locales_supported).toEqual(['en', 'zh-CN']);
  });
});
