import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import { createLogger } from '../logger.js';
import { askForResetLink, createTestUser, openForm } from '../test-support/account-flows.js';
import { createBrowser } from '../test-support/browser.js';
import { linkIn, startSmtpCapture, type SmtpCapture } from '@latchkey/testing';
import { freshTestDatabase } from '../test-support/test-database.js';
import { startTestIdp, type TestIdp } from '../test-support/test-idp.js';

/**
 * Issue 11 item 4, the asking half: one answer whether or not the address is anyone's (same
 * status, same page, and sent before the directory is even asked), limits per address and
 * per account, the link built from ISSUER whatever the Host, CSRF and Origin checked.
 */
let smtp: SmtpCapture;
let idp: TestIdp;
/** Look-ups by email wait this long: the answer must not. */
let lookupDelayMs = 0;
const logLines: string[] = [];

function withSlowLookups(inner: Database): Database {
  return {
    ...inner,
    query: async (sql, params) => {
      if (lookupDelayMs > 0 && /FROM users WHERE email/.test(sql)) {
        await new Promise((resolve) => setTimeout(resolve, lookupDelayMs));
      }
      return inner.query(sql, params);
    },
  };
}

beforeAll(async () => {
  smtp = await startSmtpCapture();
  idp = await startTestIdp(
    {
      SMTP_URL: smtp.url,
      RATE_LIMIT_FORGOT_PASSWORD_PER_ACCOUNT: '3/15m',
      RATE_LIMIT_FORGOT_PASSWORD_PER_ADDRESS: '40/15m',
    },
    undefined,
    {
      database: withSlowLookups(await freshTestDatabase()),
      logger: createLogger('debug', (line) => logLines.push(line)),
    },
  );
}, 120_000);
afterAll(async () => {
  await idp?.close();
  await smtp?.close();
});

/** The page without what differs on every render (the CSRF token). */
const comparable = (html: string) => html.replace(/name="csrf" value="[^"]*"/g, '');

async function settle(): Promise<void> {
  await idp.afterAnswer.idle();
  await idp.outbox.idle();
}

describe('GET|POST /forgot-password', { timeout: 60_000 }, () => {
  it('the login page links to it ("Forgot password?")', async () => {
    const authorize = new URL('/authorize', idp.url);
    for (const [name, value] of Object.entries({
      response_type: 'code',
      client_id: 'shop',
      redirect_uri: 'http://shop.localhost:3001/auth/callback',
      scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    })) {
      authorize.searchParams.set(name, value);
    }
    const browser = createBrowser();
    const redirect = await browser.fetch(authorize);
    const login = await browser.fetch(new URL(redirect.headers.get('location')!, idp.url));
    expect(await login.text()).toContain('<a href="/forgot-password">Forgot password?</a>');
    const form = await openForm(browser, `${idp.url}/forgot-password`);
    expect(form.status).toBe(200);
    expect(form.html).toContain('name="email"');
  });

  it('answers a known and an unknown address alike, before looking either up', async () => {
    const user = await createTestUser(idp);
    lookupDelayMs = 1_500;
    try {
      const answers = [];
      for (const email of [user.email!, 'nobody-here@example.com']) {
        const started = performance.now();
        const response = await askForResetLink(createBrowser(), idp.url, email);
        answers.push({
          status: response.status,
          html: comparable(await response.text()),
          ms: performance.now() - started,
        });
      }
      expect(answers[0]!.status).toBe(200);
      expect(answers[1]!.status).toBe(200);
      expect(answers[0]!.html).toBe(answers[1]!.html);
      // Had either waited for its look-up, it would have taken 1.5 s.
      for (const answer of answers) expect(answer.ms).toBeLessThan(1_000);
    } finally {
      lookupDelayMs = 0;
    }
    await settle();
    const mail = await smtp.waitFor(user.email!);
    expect(mail.subject).toBe('Reset your Latchkey password');
    expect(smtp.to('nobody-here@example.com')).toEqual([]);
  });

  it('builds the link from ISSUER, never from the Host header', async () => {
    const user = await createTestUser(idp);
    const browser = createBrowser();
    const form = await openForm(browser, `${idp.url}/forgot-password`);
    const response = await browser.fetch(`${idp.url}/forgot-password`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Host: 'evil.localhost',
        'X-Forwarded-Host': 'evil.localhost',
      },
      body: new URLSearchParams({ csrf: form.csrf, email: user.email! }),
    });
    expect(response.status).toBe(200);
    await settle();
    const link = linkIn(await smtp.waitFor(user.email!), '/reset-password');
    expect(link.origin).toBe('http://idp.localhost:4000');
    expect(link.searchParams.get('token')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('any spelling of the address reaches the account (case, width, spaces)', async () => {
    const user = await createTestUser(idp);
    const shouted = `  ${user.email!.toUpperCase()} `;
    expect((await askForResetLink(createBrowser(), idp.url, shouted)).status).toBe(200);
    await settle();
    expect(await smtp.waitFor(user.email!)).toBeDefined();
  });

  it.each([
    ['malformed', 'not-an-address'],
    ['two @', 'a@b@example.com'],
    ['with a space', 'a b@example.com'],
    ['with a NUL', 'a\u0000b@example.com'],
    ['10 KB long', `${'a'.repeat(10_000)}@example.com`],
  ])(
    'a %s address: the form again, 400, "enter a valid email address", no mail',
    async (_n, email) => {
      const before = smtp.messages.length;
      const response = await askForResetLink(createBrowser(), idp.url, email);
      expect(response.status).toBe(400);
      const html = await response.text();
      expect(html).toContain('Enter a valid email address.');
      expect(html).toContain('name="email"');
      await settle();
      expect(smtp.messages).toHaveLength(before);
    },
  );

  it('without the CSRF token: 403 and the form again; from a foreign Origin: 403', async () => {
    const user = await createTestUser(idp);
    const bare = await fetch(`${idp.url}/forgot-password`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: user.email! }),
    });
    expect(bare.status).toBe(403);
    expect(await bare.text()).toContain('name="email"');
    const browser = createBrowser();
    const form = await openForm(browser, `${idp.url}/forgot-password`);
    const foreign = await browser.fetch(`${idp.url}/forgot-password`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Origin: 'http://shop.localhost:3001',
      },
      body: new URLSearchParams({ csrf: form.csrf, email: user.email! }),
    });
    expect(foreign.status).toBe(403);
    await settle();
    expect(smtp.to(user.email!)).toEqual([]);
  });

  it('limits each asked-for address (account or not): 429 with Retry-After', async () => {
    for (const email of [(await createTestUser(idp)).email!, 'unknown-limited@example.com']) {
      const statuses = [];
      for (let i = 0; i < 4; i++) {
        statuses.push((await askForResetLink(createBrowser(), idp.url, email)).status);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
    }
  });

  it('answers in the language asked for, and mails in it', async () => {
    const user = await createTestUser(idp);
    const browser = createBrowser();
    const form = await openForm(browser, `${idp.url}/forgot-password?lang=zh-CN`);
    expect(form.html).toContain('<html lang="zh-CN">');
    const response = await browser.post(`${idp.url}/forgot-password`, {
      csrf: form.csrf,
      lang: 'zh-CN',
      email: user.email!,
    });
    expect(await response.text()).toContain('请查收邮件');
    await settle();
    const mail = await smtp.waitFor(user.email!);
    expect(mail.subject).toBe('重置你的 Latchkey 密码');
    expect(mail.html).toContain('<html lang="zh-CN">');
    expect(mail.headers.get('content-language')).toBe('zh-CN');
  });

  it('never writes a token, a link or an address into a log line', async () => {
    const user = await createTestUser(idp);
    await askForResetLink(createBrowser(), idp.url, user.email!);
    await settle();
    const token = linkIn(await smtp.waitFor(user.email!), '/reset-password').searchParams.get(
      'token',
    )!;
    const log = logLines.join('\n');
    expect(log).toContain('"event":"mail.sent"');
    expect(log).not.toContain(token);
    expect(log).not.toContain(user.email!);
    expect(log).not.toContain('/reset-password?');
  });

  // Last: it uses up this test address's allowance.
  it('limits each asking address', async () => {
    const statuses = [];
    for (let i = 0; i < 45; i++) {
      const email = `spray-${i}@example.com`;
      statuses.push((await askForResetLink(createBrowser(), idp.url, email)).status);
    }
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
    const response = await askForResetLink(createBrowser(), idp.url, 'one-more@example.com');
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
