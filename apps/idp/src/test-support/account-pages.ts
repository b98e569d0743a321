import { expect } from 'vitest';
import { loginFormFields, type Browser } from '../test-support/browser.js';

/** Helpers for the account page tests: a browser signing in at /account and using its forms. */

export const ALICE = { username: 'alice', password: 'wonderland-alice' };
export const BOB = { username: 'bob', password: 'builder-bob' };
export const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
export const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';
export const ISSUER_ORIGIN = 'http://idp.localhost:4000';

/** A browser with a fixed User-Agent (and any other header it always sends). */
export function withHeaders(browser: Browser, headers: Record<string, string>): Browser {
  return {
    ...browser,
    fetch: (url, init = {}) =>
      browser.fetch(url, { ...init, headers: { ...headers, ...(init.headers as object) } }),
    post: (url, fields) =>
      browser.fetch(url, {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields),
      }),
  };
}

/** Submits the login form the page at `location` (a /login?authz=… URL) shows. */
export async function submitLogin(
  browser: Browser,
  idpUrl: string,
  location: string,
  credentials: { username: string; password: string },
): Promise<Response> {
  const page = await browser.fetch(new URL(location, idpUrl));
  expect(page.status).toBe(200);
  const fields = loginFormFields(await page.text());
  return browser.post(new URL('/login', idpUrl), { ...fields, ...credentials });
}

/** Opens /account without a session, signs in through the form it leads to, lands back. */
export async function signInAtAccount(
  browser: Browser,
  idpUrl: string,
  credentials: { username: string; password: string } = ALICE,
): Promise<void> {
  const first = await browser.fetch(`${idpUrl}/account`);
  expect(first.status).toBe(303);
  const done = await submitLogin(browser, idpUrl, first.headers.get('location')!, credentials);
  expect(done.status).toBe(303);
  expect(done.headers.get('location')).toBe('/account');
}

/** The account page's HTML (200 expected). */
export async function accountHtml(browser: Browser, idpUrl: string, path = '/account') {
  const page = await browser.fetch(`${idpUrl}${path}`);
  expect(page.status, `${path} status`).toBe(200);
  return page.text();
}

/** The value of the first hidden field `name` in `html`. */
export function field(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match?.[1]) throw new Error(`no ${name} field`);
  return match[1];
}

/** Every value of the hidden field `name` (the session handles), in page order. */
export function fields(html: string, name: string): string[] {
  return [...html.matchAll(new RegExp(`name="${name}" value="([^"]*)"`, 'g'))].map((m) => m[1]!);
}

/** The handle of the session marked current, and those of the others. */
export function sessionHandles(html: string): { current: string; others: string[] } {
  const items = html.split('<p class="device">').slice(1);
  const handleIn = (item: string) => /name="session" value="([^"]*)"/.exec(item)![1]!;
  const isCurrent = (item: string) => item.slice(0, item.indexOf('</p>')).includes('class="badge"');
  const current = items.filter(isCurrent).map(handleIn)[0];
  const others = items.filter((item) => !isCurrent(item)).map(handleIn);
  if (!current) throw new Error('no current session on the page');
  return { current, others };
}

/** The visible text of a page, tags dropped, entities of the escaper undone. */
export function text(html: string): string {
  return html
    .replace(/<style[^>]*>[\s\S]*?<\/style>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}
