import { randomBytes } from 'node:crypto';
import { hashPassword } from '../users/password-hash.js';
import type { User } from '../users/user.js';
import type { Browser } from './browser.js';
import type { TestIdp } from './test-idp.js';

/** A user of the test's own (unique names: test IdPs share one database per worker). */
export async function createTestUser(
  idp: TestIdp,
  options: { password?: string; state?: User['state']; prefix?: string } = {},
): Promise<User & { password: string }> {
  const suffix = randomBytes(5).toString('hex');
  const username = `${options.prefix ?? 'user'}-${suffix}`;
  const password = options.password ?? `correct horse ${suffix}`;
  await idp.users.save({
    id: `u_${suffix}`,
    username,
    email: `${username}@example.com`,
    passwordHash: await hashPassword(password),
    roles: ['user'],
    state: options.state ?? 'active',
  });
  const user = await idp.users.findById(`u_${suffix}`);
  if (!user) throw new Error('the test user was not stored');
  return { ...user, password };
}

/** A hidden or visible field's value in a page's HTML. */
export function fieldValue(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match) throw new Error(`the page has no ${name} field`);
  return match[1]!.replace(/&amp;/g, '&').replace(/&quot;/g, '"');
}

/** GETs a form page and returns its HTML and CSRF token (the browser keeps the cookie). */
export async function openForm(
  browser: Browser,
  url: string | URL,
): Promise<{ status: number; html: string; csrf: string; headers: Headers }> {
  const response = await browser.fetch(url);
  const html = await response.text();
  if (response.status !== 200)
    return { status: response.status, html, csrf: '', headers: response.headers };
  return {
    status: response.status,
    html,
    csrf: fieldValue(html, 'csrf'),
    headers: response.headers,
  };
}

/** Asks for a reset link for `email` through the page, as a person would. */
export async function askForResetLink(
  browser: Browser,
  idpUrl: string,
  email: string,
): Promise<Response> {
  const form = await openForm(browser, `${idpUrl}/forgot-password`);
  return browser.post(`${idpUrl}/forgot-password`, { csrf: form.csrf, email });
}
