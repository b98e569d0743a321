import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestUser, fieldValue, openForm } from '../test-support/account-flows.js';
import { authorizeUrl, createBrowser, loginFormFields } from '../test-support/browser.js';
import { linkIn, startSmtpCapture, type SmtpCapture } from '@latchkey/testing';
import { freshTestDatabase } from '../test-support/test-database.js';
import { startTestIdp, type TestIdp } from '../test-support/test-idp.js';

/**
 * Issue 11 item 8, self-registration: off by default (404), and when on, a pending account
 * that signs in only once its address is confirmed through a single-use link; an address
 * already registered is never revealed (its owner gets a mail instead).
 */
const SHOP = { clientId: 'shop', redirectUri: 'http://shop.localhost:3001/auth/callback' };
let smtp: SmtpCapture;
let idp: TestIdp;
let closed: TestIdp;

beforeAll(async () => {
  smtp = await startSmtpCapture();
  const database = await freshTestDatabase();
  idp = await startTestIdp({ SMTP_URL: smtp.url, SELF_REGISTRATION: 'true' }, undefined, {
    database,
  });
  closed = await startTestIdp({ SMTP_URL: smtp.url });
}, 120_000);
afterAll(async () => {
  await idp?.close();
  await closed?.close();
  await smtp?.close();
});

const fresh = () => `new-${randomBytes(4).toString('hex')}`;
const comparable = (html: string) => html.replace(/name="csrf" value="[^"]*"/g, '');

async function signUp(fields: Record<string, string>, browser = createBrowser()) {
  const form = await openForm(browser, `${idp.url}/signup`);
  const response = await browser.post(`${idp.url}/signup`, { csrf: form.csrf, ...fields });
  return { status: response.status, html: await response.text() };
}

async function settle(): Promise<void> {
  await idp.afterAnswer.idle();
  await idp.outbox.idle();
}

/** The login form's answer to these credentials: 303 to the app, or the form again. */
async function logIn(username: string, password: string) {
  const browser = createBrowser();
  const { url } = authorizeUrl(idp.url, SHOP);
  const redirect = await browser.fetch(url);
  const login = await browser.fetch(new URL(redirect.headers.get('location')!, idp.url));
  const fields = loginFormFields(await login.text());
  const answer = await browser.post(`${idp.url}/login`, { ...fields, username, password });
  return { status: answer.status, html: await answer.text() };
}

describe('sign-up', { timeout: 60_000 }, () => {
  it('is a 404 unless SELF_REGISTRATION=true', async () => {
    expect((await fetch(`${closed.url}/signup`)).status).toBe(404);
    const post = await fetch(`${closed.url}/signup`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'username=x&email=x@example.com&password=long+enough+passphrase',
    });
    expect(post.status).toBe(404);
    expect((await fetch(`${idp.url}/signup`)).status).toBe(200);
  });

  it('creates a pending account: login says "confirm first", the link activates it once', async () => {
    const username = fresh();
    const email = `${username}@example.com`;
    const password = 'a fine long passphrase';
    const answer = await signUp({ username, email, password });
    expect(answer.status).toBe(200);
    expect(answer.html).toContain(`We sent a message to ${email}`);
    await settle();

    expect((await idp.users.findByUsername(username))?.state).toBe('pending');
    const pendingLogin = await logIn(username, password);
    expect(pendingLogin.status).toBe(401);
    expect(pendingLogin.html).toContain('Confirm your email address first');
    // Without the password, a pending account is just a wrong password.
    const wrong = await logIn(username, 'not the passphrase');
    expect(wrong.html).toContain('The username or password is incorrect.');

    const mail = await smtp.waitFor(email);
    expect(mail.subject).toBe('Confirm your email address');
    const link = linkIn(mail, '/verify-email');
    expect(link.origin).toBe('http://idp.localhost:4000');
    const local = new URL(`${link.pathname}${link.search}`, idp.url);
    // Opening the link (a mail scanner does) changes nothing.
    const browser = createBrowser();
    const page = await openForm(browser, local);
    expect(page.status).toBe(200);
    expect((await idp.users.findByUsername(username))?.state).toBe('pending');

    const confirm = await browser.post(`${idp.url}/verify-email`, {
      csrf: page.csrf,
      token: fieldValue(page.html, 'token'),
    });
    expect(confirm.status).toBe(200);
    const user = await idp.users.findByUsername(username);
    expect(user?.state).toBe('active');
    expect(user?.emailVerified).toBe(true);
    expect((await logIn(username, password)).status).toBe(303);

    const again = await browser.post(`${idp.url}/verify-email`, {
      csrf: page.csrf,
      token: fieldValue(page.html, 'token'),
    });
    expect(again.status).toBe(400);
  });

  it('never reveals a registered address: same page, and its owner is mailed instead', async () => {
    const owner = await createTestUser(idp);
    const taken = await signUp({
      username: fresh(),
      email: owner.email!.toUpperCase(),
      password: 'another long passphrase',
    });
    const free = await signUp({
      username: fresh(),
      email: `${fresh()}@example.com`,
      password: 'another long passphrase',
    });
    expect(taken.status).toBe(free.status);
    const strip = (html: string) => comparable(html).replace(/to [^ ]+@example\.com/i, 'to X');
    expect(strip(taken.html)).toBe(strip(free.html));
    await settle();
    const mail = await smtp.waitFor(owner.email!);
    expect(mail.subject).toBe('You already have a Latchkey account');
    expect(linkIn(mail, '/forgot-password').origin).toBe('http://idp.localhost:4000');
    const again = await idp.users.findByEmail(owner.email!);
    expect(again?.id).toBe(owner.id);
  });

  it('a taken username is said, in any spelling (case, width, trailing space)', async () => {
    const owner = await createTestUser(idp);
    const wide = [...owner.username].map((c) =>
      /[a-z0-9]/.test(c) ? String.fromCodePoint(c.codePointAt(0)! + 0xfee0) : c,
    );
    for (const spelling of [owner.username.toUpperCase(), `${owner.username} `, wide.join('')]) {
      const answer = await signUp({
        username: spelling,
        email: `${fresh()}@example.com`,
        password: 'yet another long passphrase',
      });
      expect(answer.status, spelling).toBe(409);
      expect(answer.html).toContain('This username is taken.');
    }
  });

  it.each([
    ['no username', { username: '' }, 'A username is 1 to 64'],
    ['a username with spaces', { username: 'two words' }, 'A username is 1 to 64'],
    ['a malformed email', { email: 'nope' }, 'Enter a valid email address.'],
    [
      'a 10 KB email',
      { email: `${'x'.repeat(10_000)}@example.com` },
      'Enter a valid email address.',
    ],
    ['a 7-character password', { password: 'abcdefg' }, 'too short'],
    ['a 129-character password', { password: 'p'.repeat(129) }, 'too long'],
    ['a 100,000-character password', { password: 'q'.repeat(100_000) }, 'too long'],
    ['a password with NUL', { password: 'long enough\u0000passphrase' }, 'cannot be typed'],
    [
      'a password holding the username',
      { password: 'USERNAME-is-my-password' },
      'must not contain',
    ],
  ])('%s: the form again with its message, nothing created', async (_name, change, message) => {
    const username = fresh();
    const fields = {
      username,
      email: `${username}@example.com`,
      password: 'a perfectly fine passphrase',
      ...change,
    };
    fields.password = fields.password.replace('USERNAME', username);
    const answer = await signUp(fields);
    expect(answer.status).toBe(400);
    expect(answer.html).toContain(message);
    expect(await idp.users.findByUsername(username)).toBeNull();
  });

  it('without CSRF: 403; from a foreign Origin: 403', async () => {
    const username = fresh();
    const fields = {
      username,
      email: `${username}@example.com`,
      password: 'cross site passphrase',
    };
    const bare = await fetch(`${idp.url}/signup`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
    });
    expect(bare.status).toBe(403);
    const browser = createBrowser();
    const form = await openForm(browser, `${idp.url}/signup`);
    const foreign = await browser.fetch(`${idp.url}/signup`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Origin: 'http://evil.localhost',
      },
      body: new URLSearchParams({ csrf: form.csrf, ...fields }),
    });
    expect(foreign.status).toBe(403);
    await settle();
    expect(await idp.users.findByUsername(username)).toBeNull();
  });

  it('a pending account can still reset its password, which also proves the address', async () => {
    const username = fresh();
    const email = `${username}@example.com`;
    await signUp({ username, email, password: 'forgotten at once passphrase' });
    await settle();
    await smtp.waitFor(email);
    const browser = createBrowser();
    const form = await openForm(browser, `${idp.url}/forgot-password`);
    await browser.post(`${idp.url}/forgot-password`, { csrf: form.csrf, email });
    await settle();
    const mail = await smtp.waitFor(email, (m) => /Reset/.test(m.subject));
    const link = linkIn(mail, '/reset-password');
    const page = await openForm(browser, new URL(`${link.pathname}${link.search}`, idp.url));
    const done = await browser.post(`${idp.url}/reset-password`, {
      csrf: page.csrf,
      token: fieldValue(page.html, 'token'),
      password: 'remembered now passphrase',
    });
    expect(done.status).toBe(200);
    expect((await idp.users.findByUsername(username))?.state).toBe('active');
    expect((await logIn(username, 'remembered now passphrase')).status).toBe(303);
  });
});
