import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountMailer } from '../mail/account-mailer.js';
import { createTestUser, fieldValue, openForm } from '../test-support/account-flows.js';
import { authorizeUrl, createBrowser, loginFormFields } from '../test-support/browser.js';
import { linkIn, startSmtpCapture, type SmtpCapture } from '@latchkey/testing';
import { freshTestDatabase } from '../test-support/test-database.js';
import { startTestIdp, type TestIdp } from '../test-support/test-idp.js';
import { inviteUser, resetLinkFor, type InvitationDeps } from './invitations.js';

/** Issue 11 item 8: `users invite EMAIL` and `users reset-link USER`, the functions behind them. */
let smtp: SmtpCapture;
let idp: TestIdp;
let deps: InvitationDeps;

beforeAll(async () => {
  smtp = await startSmtpCapture();
  idp = await startTestIdp({ SMTP_URL: smtp.url }, undefined, {
    database: await freshTestDatabase(),
  });
  deps = {
    users: idp.users,
    links: idp.links,
    mailer: createAccountMailer(idp.outbox),
    issuer: idp.config.issuer,
  };
}, 120_000);
afterAll(async () => {
  await idp?.close();
  await smtp?.close();
});

const fresh = () => `invitee-${randomBytes(4).toString('hex')}@example.com`;

async function logInStatus(username: string, password: string): Promise<number> {
  const browser = createBrowser();
  const { url } = authorizeUrl(idp.url, {
    clientId: 'shop',
    redirectUri: 'http://shop.localhost:3001/auth/callback',
  });
  const redirect = await browser.fetch(url);
  const login = await browser.fetch(new URL(redirect.headers.get('location')!, idp.url));
  const fields = loginFormFields(await login.text());
  return (await browser.post(`${idp.url}/login`, { ...fields, username, password })).status;
}

/** Follows a link of ours (built on ISSUER) on the test IdP, and sets `password`. */
async function setPasswordThrough(link: URL, password: string): Promise<number> {
  const browser = createBrowser();
  const page = await openForm(browser, new URL(`${link.pathname}${link.search}`, idp.url));
  if (page.status !== 200) return page.status;
  const done = await browser.post(`${idp.url}/reset-password`, {
    csrf: page.csrf,
    token: fieldValue(page.html, 'token'),
    password,
  });
  return done.status;
}

describe('invitations', { timeout: 60_000 }, () => {
  it('creates a pending user who cannot log in; the mailed link sets a first password', async () => {
    const email = fresh();
    const user = await inviteUser(deps, { email: email.toUpperCase(), roles: ['user'] });
    expect(user).toMatchObject({ username: email, email, state: 'pending', roles: ['user'] });
    expect(await logInStatus(email, 'any guess at all')).toBe(401);
    await idp.outbox.idle();
    const mail = await smtp.waitFor(email);
    expect(mail.subject).toBe('Your Latchkey account is ready');
    const link = linkIn(mail, '/reset-password');
    expect(link.origin).toBe('http://idp.localhost:4000');

    const page = await openForm(
      createBrowser(),
      new URL(`${link.pathname}${link.search}`, idp.url),
    );
    expect(page.html).toContain('Set your password');
    expect(await setPasswordThrough(link, 'my very first passphrase')).toBe(200);
    expect(await idp.users.findById(user.id)).toMatchObject({
      state: 'active',
      emailVerified: true,
    });
    expect(await logInStatus(email, 'my very first passphrase')).toBe(303);
    expect(await setPasswordThrough(link, 'a second go passphrase')).toBe(400);
  });

  it('speaks the language asked for', async () => {
    const email = fresh();
    await inviteUser(deps, { email, locale: 'zh-CN' });
    await idp.outbox.idle();
    expect((await smtp.waitFor(email)).subject).toBe('你的 Latchkey 账号已创建');
  });

  it('refuses a taken address or name, and a malformed address, with typed errors', async () => {
    const owner = await createTestUser(idp);
    await expect(inviteUser(deps, { email: owner.email! })).rejects.toMatchObject({
      code: 'ERR_EMAIL_TAKEN',
    });
    await expect(
      inviteUser(deps, { email: fresh(), username: owner.username.toUpperCase() }),
    ).rejects.toMatchObject({ code: 'ERR_USERNAME_TAKEN' });
    for (const email of ['nope', `${'a'.repeat(10_000)}@example.com`, 'a b@example.com']) {
      await expect(inviteUser(deps, { email })).rejects.toMatchObject({
        code: 'ERR_INVALID_ACCOUNT_INPUT',
      });
    }
  });
});

describe('reset links for an operator', { timeout: 60_000 }, () => {
  it('prints a working link built on ISSUER, and replaces any earlier one', async () => {
    const user = await createTestUser(idp);
    const first = await resetLinkFor(deps, user.username.toUpperCase());
    const second = await resetLinkFor(deps, user.username);
    expect(second.url).toMatch(/^http:\/\/idp\.localhost:4000\/reset-password\?token=[\w-]{43}$/);
    expect(await setPasswordThrough(new URL(first.url), 'first link passphrase')).toBe(400);
    expect(await setPasswordThrough(new URL(second.url), 'second link passphrase')).toBe(200);
  });

  it('refuses a disabled user and an unknown one', async () => {
    const user = await createTestUser(idp, { state: 'disabled' });
    await expect(resetLinkFor(deps, user.username)).rejects.toMatchObject({
      code: 'ERR_ACCOUNT_DISABLED',
    });
    await expect(resetLinkFor(deps, 'nobody-at-all')).rejects.toMatchObject({
      code: 'ERR_USER_NOT_FOUND',
    });
  });
});
