import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseUnavailableError, type Database } from '../db/database.js';
import { createMemoryStore } from '../store/memory-store.js';
import {
  askForResetLink,
  createTestUser,
  fieldValue,
  openForm,
} from '../test-support/account-flows.js';
import { createBrowser, signIn } from '../test-support/browser.js';
import { linkIn, startSmtpCapture, type SmtpCapture } from '@latchkey/testing';
import { freshTestDatabase } from '../test-support/test-database.js';
import { startTestIdp, type TestIdp } from '../test-support/test-idp.js';
import type { User } from '../users/user.js';
import { CLAIM_LEASE_MS, LINK_TTL_MS } from './account-links.js';

/**
 * Issue 11 item 4 over real HTTP, a real SMTP server and PGlite: the mailed link sets a new
 * password once, ends every session, signs nobody in, and dies after 30 minutes, after any
 * password change, after disable and after a newer link.
 */
const SHOP = { clientId: 'shop', redirectUri: 'http://shop.localhost:3001/auth/callback' };
let smtp: SmtpCapture;
let idp: TestIdp;
let clock = Date.now();
/** Statements matching this fail as an outage would (the database unreachable mid-request). */
let outage: RegExp | null = null;

/** The real database, with an outage the test switches on for chosen statements. */
function withOutage(inner: Database): Database {
  const fail = (sql: string) => outage?.test(sql) ?? false;
  const unavailable = () => Promise.reject(new DatabaseUnavailableError('injected outage'));
  return {
    query: (sql, params) => (fail(sql) ? unavailable() : inner.query(sql, params)),
    transaction: (work) =>
      inner.transaction((tx) =>
        work({ query: (sql, params) => (fail(sql) ? unavailable() : tx.query(sql, params)) }),
      ),
    close: () => inner.close(),
  };
}

beforeAll(async () => {
  smtp = await startSmtpCapture();
  idp = await startTestIdp(
    { SMTP_URL: smtp.url, RATE_LIMIT_FORGOT_PASSWORD_PER_ADDRESS: 'off' },
    createMemoryStore({ now: () => clock }),
    {
      now: () => clock,
      database: withOutage(await freshTestDatabase()),
    },
  );
  // The embedded PostgreSQL starts in this hook: seconds, more on a loaded machine.
}, 120_000);
afterAll(async () => {
  await idp?.close();
  await smtp?.close();
});

/** The link of the newest reset mail to `user`, on the test IdP's address. */
async function mailedLink(user: User, count: number): Promise<URL> {
  await idp.afterAnswer.idle();
  const mails = await waitForCount(user.email!, count);
  const link = linkIn(mails[count - 1]!, '/reset-password');
  expect(link.origin).toBe('http://idp.localhost:4000');
  return new URL(`${link.pathname}${link.search}`, idp.url);
}

async function waitForCount(address: string, count: number) {
  for (let i = 0; i < 200 && smtp.to(address).length < count; i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const mails = smtp.to(address);
  expect(mails.length).toBeGreaterThanOrEqual(count);
  return mails;
}

async function requestLink(user: User, count = 1): Promise<URL> {
  const answer = await askForResetLink(createBrowser(), idp.url, user.email!);
  expect(answer.status).toBe(200);
  return mailedLink(user, smtp.to(user.email!).length + 1 > count ? count : count);
}

/** Opens the link and submits `password` (and `confirm`), as the page's form does. */
async function submit(link: URL, password: string, extra: Record<string, string> = {}) {
  const browser = createBrowser();
  const form = await openForm(browser, link);
  if (form.status !== 200) return { status: form.status, html: form.html };
  const response = await browser.post(`${idp.url}/reset-password`, {
    csrf: form.csrf,
    token: fieldValue(form.html, 'token'),
    password,
    confirm: password,
    ...extra,
  });
  return { status: response.status, html: await response.text(), headers: response.headers };
}

async function canLogIn(username: string, password: string): Promise<boolean> {
  try {
    await signIn(createBrowser(), idp.url, { ...SHOP, username, password });
    return true;
  } catch {
    return false;
  }
}

const INVALID = 'The link has expired, was already used, or was replaced by a newer one.';

describe('a reset link', { timeout: 60_000 }, () => {
  it('sets a new password once: sessions end, nobody is signed in, a notice is mailed', async () => {
    const user = await createTestUser(idp);
    await signIn(createBrowser(), idp.url, {
      ...SHOP,
      username: user.username,
      password: user.password,
    });
    expect(await idp.sessions.listForUser(user.id, clock)).toHaveLength(1);

    const link = await requestLink(user);
    const page = await createBrowser().fetch(link);
    expect(page.status).toBe(200);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await page.text()).toContain(`For the account ${user.username}.`);

    const done = await submit(link, 'a brand new passphrase');
    expect(done.status).toBe(200);
    expect(done.html).toContain('Your password was saved');
    // Not signed in silently: no session cookie, no redirect.
    expect(done.headers?.get('set-cookie') ?? '').not.toMatch(/latchkey_session/);
    expect(await idp.sessions.listForUser(user.id, clock)).toHaveLength(0);
    expect(await canLogIn(user.username, user.password)).toBe(false);
    expect(await canLogIn(user.username, 'a brand new passphrase')).toBe(true);

    const again = await submit(link, 'yet another passphrase');
    expect(again.status).toBe(400);
    expect(again.html).toContain(INVALID);
    const notice = await smtp.waitFor(user.email!, (mail) => /was changed/.test(mail.subject));
    expect(notice.text).toContain(user.username);
  });

  it('twenty concurrent submissions of one link: exactly one succeeds', async () => {
    const user = await createTestUser(idp);
    const link = await requestLink(user);
    const forms = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const browser = createBrowser();
        const form = await openForm(browser, link);
        return { browser, csrf: form.csrf, password: `parallel passphrase ${i}` };
      }),
    );
    const token = link.searchParams.get('token')!;
    const statuses = await Promise.all(
      forms.map(async ({ browser, csrf, password }) => {
        const response = await browser.post(`${idp.url}/reset-password`, { csrf, token, password });
        await response.text();
        return response.status;
      }),
    );
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status !== 200).every((status) => status === 400)).toBe(
      true,
    );
    const winner = forms[statuses.indexOf(200)]!.password;
    expect(await canLogIn(user.username, winner)).toBe(true);
  });

  it('two tabs completing one link: the second is told the link cannot be used', async () => {
    const user = await createTestUser(idp);
    const link = await requestLink(user);
    const [first, second] = [createBrowser(), createBrowser()];
    const a = await openForm(first, link);
    const b = await openForm(second, link);
    const token = link.searchParams.get('token')!;
    const one = await first.post(`${idp.url}/reset-password`, {
      csrf: a.csrf,
      token,
      password: 'first tab passphrase',
    });
    const two = await second.post(`${idp.url}/reset-password`, {
      csrf: b.csrf,
      token,
      password: 'second tab passphrase',
    });
    expect(one.status).toBe(200);
    expect(two.status).toBe(400);
    expect(await canLogIn(user.username, 'first tab passphrase')).toBe(true);
  });

  it('expires after 30 minutes', async () => {
    const user = await createTestUser(idp);
    const link = await requestLink(user);
    clock += LINK_TTL_MS + 1_000;
    try {
      const answer = await submit(link, 'too late passphrase');
      expect(answer.status).toBe(400);
      expect(answer.html).toContain(INVALID);
    } finally {
      clock -= LINK_TTL_MS + 1_000;
    }
  });

  it('truncated, tampered, unknown and absent tokens: the same clear 400 page', async () => {
    const user = await createTestUser(idp);
    const link = await requestLink(user);
    const token = link.searchParams.get('token')!;
    const flipped = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    for (const bad of [
      token.slice(0, 20),
      flipped,
      'x'.repeat(43),
      '',
      '%00',
      'a'.repeat(10_000),
    ]) {
      const page = await fetch(`${idp.url}/reset-password?token=${encodeURIComponent(bad)}`);
      expect(page.status, bad.slice(0, 10)).toBe(400);
      expect(await page.text()).toContain(INVALID);
    }
    // None of them used the real link up.
    expect((await submit(link, 'still works passphrase')).status).toBe(200);
  });

  it("another user's link changes that user's password, never the holder's", async () => {
    const alice = await createTestUser(idp, { prefix: 'alice' });
    const bob = await createTestUser(idp, { prefix: 'bob' });
    const bobsLink = await requestLink(bob);
    const browser = createBrowser();
    await signIn(browser, idp.url, { ...SHOP, username: alice.username, password: alice.password });
    const form = await openForm(browser, bobsLink);
    expect(form.html).toContain(bob.username);
    expect(form.html).not.toContain(alice.username);
    // The page names the account by the link alone: a username in the form is not obeyed.
    const answer = await browser.post(`${idp.url}/reset-password`, {
      csrf: form.csrf,
      token: bobsLink.searchParams.get('token')!,
      username: alice.username,
      password: 'set through the link',
    });
    expect(answer.status).toBe(200);
    expect(await canLogIn(alice.username, alice.password)).toBe(true);
    expect(await canLogIn(bob.username, 'set through the link')).toBe(true);
  });

  it('dies when the password changes another way', async () => {
    const user = await createTestUser(idp);
    const link = await requestLink(user);
    await idp.users.save({ ...user, passwordHash: `${user.passwordHash}x` });
    const answer = await submit(link, 'after a change passphrase');
    expect(answer.status).toBe(400);
  });

  it('dies when the user is disabled, and a disabled user gets no link', async () => {
    const user = await createTestUser(idp);
    const link = await requestLink(user);
    await idp.users.save({ ...user, state: 'disabled' });
    expect((await submit(link, 'disabled passphrase')).status).toBe(400);
    // Even enabled again, that link stays dead (it was deleted when refused).
    await idp.users.save({ ...user, state: 'active' });
    expect((await submit(link, 'enabled passphrase')).status).toBe(400);

    await idp.users.save({ ...user, state: 'disabled' });
    const before = smtp.to(user.email!).length;
    expect((await askForResetLink(createBrowser(), idp.url, user.email!)).status).toBe(200);
    await idp.afterAnswer.idle();
    await idp.outbox.idle();
    expect(smtp.to(user.email!)).toHaveLength(before);
  });

  it('dies when a newer link is sent', async () => {
    const user = await createTestUser(idp);
    const older = await requestLink(user, 1);
    const newer = await requestLink(user, 2);
    expect(older.href).not.toBe(newer.href);
    expect((await submit(older, 'older link passphrase')).status).toBe(400);
    expect((await submit(newer, 'newer link passphrase')).status).toBe(200);
  });
});

describe(
  'the reset form refuses bad input and keeps the link for a second try',
  { timeout: 60_000 },
  () => {
    let user: User & { password: string };
    let link: URL;
    beforeAll(async () => {
      user = await createTestUser(idp);
      link = await requestLink(user);
    });

    it.each([
      ['0 characters', '', 'too short'],
      ['7 characters', 'abcdefg', 'too short'],
      ['129 characters', 'a'.repeat(129), 'too long'],
      ['100,000 characters', 'b'.repeat(100_000), 'too long'],
      ['a NUL byte', 'passphrase\u0000with nul', 'cannot be typed again'],
    ])('a password of %s', async (_name, password, message) => {
      const answer = await submit(link, password);
      expect(answer.status).toBe(400);
      expect(answer.html).toContain(message);
    });

    it('a lone surrogate (not UTF-8 in the body, decoded as U+FFFD): refused, not a 500', async () => {
      const browser = createBrowser();
      const form = await openForm(browser, link);
      const token = link.searchParams.get('token')!;
      const response = await browser.fetch(`${idp.url}/reset-password`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: `csrf=${form.csrf}&token=${token}&password=abcdefgh%ED%A0%80ijkl`,
      });
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('cannot be typed again');
    });

    it('two different passwords in the two fields', async () => {
      const answer = await submit(link, 'one passphrase here', { confirm: 'another passphrase' });
      expect(answer.status).toBe(400);
      expect(answer.html).toContain('not the same');
    });

    it('without the CSRF token, or with a token not matching the cookie: 403', async () => {
      const token = link.searchParams.get('token')!;
      const bare = await fetch(`${idp.url}/reset-password`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, password: 'no csrf passphrase' }),
      });
      expect(bare.status).toBe(403);
      const browser = createBrowser();
      await openForm(browser, link);
      const wrong = await browser.post(`${idp.url}/reset-password`, {
        csrf: 'A'.repeat(43),
        token,
        password: 'wrong csrf passphrase',
      });
      expect(wrong.status).toBe(403);
    });

    it('from a foreign Origin: 403, even with a valid token and cookie', async () => {
      const browser = createBrowser();
      const form = await openForm(browser, link);
      const answer = await browser.fetch(`${idp.url}/reset-password`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Origin: 'http://evil.localhost:4000',
        },
        body: new URLSearchParams({
          csrf: form.csrf,
          token: link.searchParams.get('token')!,
          password: 'cross site passphrase',
        }),
      });
      expect(answer.status).toBe(403);
    });

    it('after all of that, the link still works, and the old password was never changed', async () => {
      expect(await canLogIn(user.username, user.password)).toBe(true);
      expect((await submit(link, 'finally a good passphrase')).status).toBe(200);
    });
  },
);

describe('the database unreachable mid-request', { timeout: 60_000 }, () => {
  it('the password write fails: a 503 page, nothing changed, the link still works', async () => {
    const user = await createTestUser(idp);
    const link = await requestLink(user);
    outage = /^\s*(UPDATE users SET password_hash|INSERT INTO users)/;
    let answer;
    try {
      answer = await submit(link, 'during the outage');
    } finally {
      outage = null;
    }
    expect(answer.status).toBe(503);
    expect(answer.html).toContain('Temporarily unavailable');
    expect(await canLogIn(user.username, user.password)).toBe(true);
    expect((await submit(link, 'after the outage')).status).toBe(200);
  });

  it('everything fails after the claim: the link is free again once its lease ends', async () => {
    const user = await createTestUser(idp);
    const link = await requestLink(user);
    const browser = createBrowser();
    const form = await openForm(browser, link);
    outage =
      /^\s*(UPDATE users|INSERT INTO users|UPDATE account_links SET claimed_until = NULL|DELETE)/;
    let status;
    try {
      const response = await browser.post(`${idp.url}/reset-password`, {
        csrf: form.csrf,
        token: link.searchParams.get('token')!,
        password: 'during the long outage',
      });
      status = response.status;
    } finally {
      outage = null;
    }
    expect(status).toBe(503);
    expect(await canLogIn(user.username, user.password)).toBe(true);
    // Claimed and never released: another submission is refused until the lease ends.
    expect((await submit(link, 'too soon passphrase')).status).toBe(400);
    clock += CLAIM_LEASE_MS + 1_000;
    expect((await submit(link, 'after the lease passphrase')).status).toBe(200);
  });
});
