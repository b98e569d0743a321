import { expect } from 'vitest';
import type { Browser } from './browser.js';
import { loginFormFields } from './browser.js';
import type { SoftCredential, SoftwareAuthenticator, Bend } from './software-authenticator.js';

/** Helpers for the passkey tests: the ceremonies the pages describe, read from their HTML. */

function unescapeHtml(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The ceremony of the page's `form[data-passkey="kind"]`: its options and challenge handle. */
export function ceremonyOf(
  html: string,
  kind: 'register' | 'login' | 'second-factor',
): { options: { challenge: string } & Record<string, unknown>; handle: string } {
  const at = html.indexOf(`data-passkey="${kind}"`);
  if (at < 0) throw new Error(`the page has no ${kind} passkey form`);
  const form = html.slice(at, html.indexOf('</form>', at));
  const options = JSON.parse(unescapeHtml(/data-options="([^"]*)"/.exec(form)![1]!)) as {
    challenge: string;
  };
  const handle = /name="challenge" value="([^"]*)"/.exec(form)![1]!;
  return { options, handle };
}

/** Enrols a passkey on /account/passkeys with `authenticator`; the browser must be signed in. */
export async function enrolPasskey(
  browser: Browser,
  idpUrl: string,
  authenticator: SoftwareAuthenticator,
  name = 'Laptop',
): Promise<SoftCredential> {
  const page = await browser.fetch(`${idpUrl}/account/passkeys`);
  expect(page.status).toBe(200);
  const html = await page.text();
  const { options, handle } = ceremonyOf(html, 'register');
  const user = (options as unknown as { user: { id: string } }).user;
  const { credential, response } = authenticator.register(options.challenge, user.id);
  const done = await browser.post(`${idpUrl}/account/passkeys`, {
    csrf: /name="csrf" value="([^"]*)"/.exec(html)![1]!,
    challenge: handle,
    credential: JSON.stringify(response),
    name,
  });
  expect(done.status, await done.clone().text()).toBe(303);
  expect(done.headers.get('location')).toBe('/account/passkeys?done=passkey-added');
  return credential;
}

/** The login form at `location` (a /login?authz=… URL): its fields and passkey ceremony. */
export async function loginFormWithPasskey(browser: Browser, idpUrl: string, location: string) {
  const page = await browser.fetch(new URL(location, idpUrl));
  expect(page.status).toBe(200);
  const html = await page.text();
  return { ...loginFormFields(html), ...ceremonyOf(html, 'login'), html };
}

/** Posts a passwordless sign-in: the form's fields and `response` (or a bent assertion). */
export function postPasskeyLogin(
  browser: Browser,
  idpUrl: string,
  form: { authz: string; csrf: string; handle: string },
  response: unknown,
): Promise<Response> {
  return browser.post(`${idpUrl}/login/passkey`, {
    authz: form.authz,
    csrf: form.csrf,
    challenge: form.handle,
    credential: typeof response === 'string' ? response : JSON.stringify(response),
  });
}

export type { Bend };
