import { randomBytes } from 'node:crypto';
import { linkIn, startSmtpCapture, type SmtpCapture } from '@latchkey/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import { askForResetLink, fieldValue, openForm } from '../test-support/account-flows.js';
import { createBrowser } from '../test-support/browser.js';
import { freshTestDatabase } from '../test-support/test-database.js';
import { startTestIdp, type TestIdp } from '../test-support/test-idp.js';
import { createMemoryStore } from '../store/memory-store.js';
import { SIGNUP_LIFETIME_MS } from './expired-signups.js';

/**
 * A self sign-up is `pending` until its address is verified, for as long as its verification
 * link lives (30 minutes). Past that it counts as absent: it no longer holds its username or
 * address, and its link is refused with the usual readable page. A fresh one still holds
 * both, saying no more than before. The IdP runs on a clock the test moves.
 */
let smtp: SmtpCapture;
let idp: TestIdp;
let database: Database;
let clock = Date.parse('2030-06-01T09:00:00Z');

beforeAll(async () => {
  smtp = await startSmtpCapture();
  database = await freshTestDatabase();
  const now = () => clock;
  idp = await startTestIdp(
    { SMTP_URL: smtp.url, SELF_REGISTRATION: 'true', RATE_LIMIT_SIGNUP_PER_ADDRESS: 'off' },
    createMemoryStore({ now }),
    { now, database },
  );
}, 120_000);
afterAll(async () => {
  await idp?.close();
  await smtp?.close();
});

const fresh = () => `exp-${randomBytes(4).toString('hex')}`;
const PASSWORD = 'a long enough sign-up passphrase';
const comparable = (html: string) =>
  html.replace(/name="csrf" value="[^"]*"/g, '').replace(/to [^ ]+@example\.com/i, 'to X');

async function signUp(username: string, email: string) {
  const browser = createBrowser();
  const form = await openForm(browser, `${idp.url}/signup`);
  const response = await browser.post(`${idp.url}/signup`, {
    csrf: form.csrf,
    username,
    email,
    password: PASSWORD,
  });
  const html = await response.text();
  await idp.afterAnswer.idle();
  await idp.outbox.idle();
  return { status: response.status, html };
}

/** The verification link mailed to `email` for `username`, on the test IdP's address. */
async function verificationLink(email: string, username: string): Promise<URL> {
  const mail = await smtp.waitFor(
    email,
    (m) => m.subject === 'Confirm your email address' && m.text.includes(username),
  );
  const link = linkIn(mail, '/verify-email');
  return new URL(`${link.pathname}${link.search}`, idp.url);
}

const pastLifetime = () => {
  clock += SIGNUP_LIFETIME_MS + 1_000;
};

describe('pending sign-ups expire with their verification link', { timeout: 60_000 }, () => {
  it('a pending account past its lifetime does not block a new sign-up of the same username', async () => {
    const username = fresh();
    expect((await signUp(username, `${username}@example.com`)).status).toBe(200);
    const stale = await idp.users.findByUsername(username);
    expect(stale?.state).toBe('pending');
    pastLifetime();

    const other = `${fresh()}@example.com`;
    const again = await signUp(username, other);
    expect(again.status).toBe(200);
    expect(again.html).toContain(`We sent a message to ${other}`);
    const replaced = await idp.users.findByUsername(username);
    expect(replaced?.id).not.toBe(stale!.id);
    expect(replaced).toMatchObject({ state: 'pending', email: other });
    expect(await idp.users.findById(stale!.id)).toBeNull();
    await verificationLink(other, username);
  });

  it('a pending account past its lifetime does not block a new sign-up of the same email', async () => {
    const email = `${fresh()}@example.com`;
    const first = fresh();
    await signUp(first, email);
    pastLifetime();
    const second = fresh();
    expect((await signUp(second, email)).status).toBe(200);
    // The address's new account, verifiable: not an "already registered" mail to its owner.
    expect(await idp.users.findByUsername(first)).toBeNull();
    expect((await idp.users.findByEmail(email))?.username).toBe(second);
    const browser = createBrowser();
    const page = await openForm(browser, await verificationLink(email, second));
    const done = await browser.post(`${idp.url}/verify-email`, {
      csrf: page.csrf,
      token: fieldValue(page.html, 'token'),
    });
    expect(done.status).toBe(200);
    expect((await idp.users.findByUsername(second))?.state).toBe('active');
  });

  it('a fresh pending account still holds its username (409) and its email (revealing nothing)', async () => {
    const username = fresh();
    const email = `${username}@example.com`;
    await signUp(username, email);
    clock += SIGNUP_LIFETIME_MS - 60_000;

    const sameName = await signUp(username.toUpperCase(), `${fresh()}@example.com`);
    expect(sameName.status).toBe(409);
    expect(sameName.html).toContain('This username is taken.');

    const intruder = fresh();
    const sameEmail = await signUp(intruder, email);
    const unrelated = await signUp(fresh(), `${fresh()}@example.com`);
    expect(sameEmail.status).toBe(unrelated.status);
    expect(comparable(sameEmail.html)).toBe(comparable(unrelated.html));
    expect(await idp.users.findByUsername(intruder)).toBeNull();
    expect((await idp.users.findByEmail(email))?.username).toBe(username);
    const told = await smtp.waitFor(email, (m) => /already have/.test(m.subject));
    expect(told.subject).toBe('You already have a Latchkey account');
  });

  it('the verification link of an expired sign-up is refused with the readable link page', async () => {
    const username = fresh();
    const email = `${username}@example.com`;
    await signUp(username, email);
    const link = await verificationLink(email, username);
    const browser = createBrowser();
    const page = await openForm(browser, link);
    expect(page.status).toBe(200);
    pastLifetime();

    const opened = await browser.fetch(link);
    expect(opened.status).toBe(400);
    expect(await opened.text()).toContain('This link cannot be used');
    const submitted = await browser.post(`${idp.url}/verify-email`, {
      csrf: page.csrf,
      token: fieldValue(page.html, 'token'),
    });
    expect(submitted.status).toBe(400);
    expect(await submitted.text()).toContain('This link cannot be used');
    expect((await idp.users.findByUsername(username))?.state).not.toBe('active');
  });

  it('an account past its lifetime is not verified even while its link is still live', async () => {
    const username = fresh();
    const email = `${username}@example.com`;
    await signUp(username, email);
    const browser = createBrowser();
    const page = await openForm(browser, await verificationLink(email, username));
    // The account was created a moment before its link: its end can come first.
    await database.query('UPDATE users SET signup_expires_at = $2 WHERE username = $1', [
      username,
      new Date(clock - 1),
    ]);
    const submitted = await browser.post(`${idp.url}/verify-email`, {
      csrf: page.csrf,
      token: fieldValue(page.html, 'token'),
    });
    expect(submitted.status).toBe(400);
    expect(await submitted.text()).toContain('This link cannot be used');
    expect((await idp.users.findByUsername(username))?.state).toBe('pending');
  });

  it('an expired sign-up gets no reset link either: it is gone', async () => {
    const username = fresh();
    const email = `${username}@example.com`;
    await signUp(username, email);
    pastLifetime();
    expect((await askForResetLink(createBrowser(), idp.url, email)).status).toBe(200);
    await idp.afterAnswer.idle();
    expect(await idp.users.findByUsername(username)).toBeNull();
  });

  it('an invited account (pending, made by an operator) never expires this way', async () => {
    const username = fresh();
    await idp.users.createIfAbsent({
      id: `u_${username}`,
      username,
      email: `${username}@example.com`,
      passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aW52aXRlZA',
      roles: [],
      state: 'pending',
    });
    pastLifetime();
    const taken = await signUp(username, `${fresh()}@example.com`);
    expect(taken.status).toBe(409);
    expect((await idp.users.findByUsername(username))?.state).toBe('pending');
  });
});
