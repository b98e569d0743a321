import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountHtml, ALICE, BOB, field, signInAtAccount } from '../test-support/account-pages.js';
import { createBrowser, type Browser } from '../test-support/browser.js';
import { freshTestDatabase } from '../test-support/test-database.js';
import { startTestIdp, type TestIdp } from '../test-support/test-idp.js';
import { createMemoryStore } from '../store/memory-store.js';
import { timeStep, totpCodeAt, TOTP_PERIOD_S } from './totp-code.js';

const STEP_MS = TOTP_PERIOD_S * 1000;
// Near the real time: the test browser drops cookies whose Expires has passed by its clock.
let clock = Math.floor(Date.now() / STEP_MS) * STEP_MS + 5_000;
const now = () => clock;
let idp: TestIdp;

beforeAll(async () => {
  const database = await freshTestDatabase();
  // alice is an admin: with MFA_REQUIRED_ROLES=admin she may not drop her last factor.
  idp = await startTestIdp({ MFA_REQUIRED_ROLES: 'admin' }, createMemoryStore({ now }), {
    now,
    database,
  });
}, 60_000);
afterAll(() => idp.close());

const secretIn = (html: string) => /data-totp-secret="([A-Z2-7]+)"/.exec(html)![1]!;
const codesIn = (html: string) =>
  [...html.matchAll(/<li><code>([^<]+)<\/code><\/li>/g)].map((m) => m[1]!);

function nextCode(secret: string): string {
  clock += STEP_MS;
  return totpCodeAt(secret, timeStep(now()));
}

/** Opens the enrolment page and confirms it with the first code; the recovery-codes page. */
async function enrol(browser: Browser) {
  const html = await accountHtml(browser, idp.url, '/account/two-factor/totp');
  const secret = secretIn(html);
  const answer = await browser.post(new URL('/account/two-factor/totp', idp.url), {
    csrf: field(html, 'csrf'),
    code: nextCode(secret),
  });
  return { secret, answer, html: await answer.text() };
}

describe('TOTP enrolment from the account page', () => {
  it('offers it on /account, shows a QR code and the secret as text, turns on with a first code', async () => {
    const browser = createBrowser();
    await signInAtAccount(browser, idp.url, BOB);
    const overview = await accountHtml(browser, idp.url);
    expect(overview).toContain('data-action="add-totp"');

    const page = await browser.fetch(new URL('/account/two-factor/totp', idp.url));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/<img src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+"/);
    const secret = secretIn(html);
    // RFC 4226 R6: 160 bits, base32 (5 bits a character).
    expect(secret.length * 5).toBeGreaterThanOrEqual(160);
    expect(html).toMatch(/name="code"/);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("img-src 'self' data:");
    expect(csp).not.toContain('script-src');

    const answer = await browser.post(new URL('/account/two-factor/totp', idp.url), {
      csrf: field(html, 'csrf'),
      code: nextCode(secret),
    });
    expect(answer.status).toBe(200);
    const codes = codesIn(await answer.text());
    expect(codes).toHaveLength(10);
    const bob = (await idp.users.findByUsername('bob'))!;
    expect(await idp.secondFactors.status(bob.id)).toEqual({ totp: true, recoveryCodesLeft: 10 });
    expect(await accountHtml(browser, idp.url)).not.toContain('data-action="add-totp"');

    // Regenerating shows ten new codes, once.
    const manage = await accountHtml(browser, idp.url, '/account/two-factor');
    const regenerated = await browser.post(new URL('/account/two-factor/recovery-codes', idp.url), {
      csrf: field(manage, 'csrf'),
    });
    const fresh = codesIn(await regenerated.text());
    expect(fresh).toHaveLength(10);
    expect(fresh).not.toContain(codes[0]);

    // And bob can turn it off again (his role does not require it).
    const removed = await browser.post(new URL('/account/two-factor/totp/remove', idp.url), {
      csrf: field(manage, 'csrf'),
    });
    expect(removed.status).toBe(303);
    expect(removed.headers.get('location')).toBe('/account/two-factor?done=totp-removed');
    expect(await idp.secondFactors.status(bob.id)).toEqual({ totp: false, recoveryCodesLeft: 0 });
  });

  it('refuses a wrong first code: the TOTP stays off', async () => {
    const browser = createBrowser();
    await signInAtAccount(browser, idp.url, BOB);
    const html = await accountHtml(browser, idp.url, '/account/two-factor/totp');
    const answer = await browser.post(new URL('/account/two-factor/totp', idp.url), {
      csrf: field(html, 'csrf'),
      code: '000000',
    });
    expect(answer.status).toBe(400);
    expect(await answer.text()).toContain('That code is not right.');
    const bob = (await idp.users.findByUsername('bob'))!;
    expect(await idp.secondFactors.hasTotp(bob.id)).toBe(false);
  });

  it('refuses enrolling without a recent login: back to the password first', async () => {
    const browser = createBrowser();
    await signInAtAccount(browser, idp.url, BOB);
    const html = await accountHtml(browser, idp.url, '/account/two-factor/totp');
    clock += 11 * 60_000;
    const page = await browser.fetch(new URL('/account/two-factor/totp', idp.url));
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toMatch(/^\/login\?authz=/);
    const post = await browser.post(new URL('/account/two-factor/totp', idp.url), {
      csrf: field(html, 'csrf'),
      code: nextCode(secretIn(html)),
    });
    expect(post.status).toBe(303);
    expect(post.headers.get('location')).toMatch(/^\/login\?authz=/);
    const bob = (await idp.users.findByUsername('bob'))!;
    expect(await idp.secondFactors.hasTotp(bob.id)).toBe(false);
  });

  it('refuses removing the last factor of a user whose role requires MFA, with a clear message', async () => {
    const browser = createBrowser();
    await signInAtAccount(browser, idp.url, ALICE);
    const { answer } = await enrol(browser);
    expect(answer.status).toBe(200);
    const manage = await accountHtml(browser, idp.url, '/account/two-factor');
    const removed = await browser.post(new URL('/account/two-factor/totp/remove', idp.url), {
      csrf: field(manage, 'csrf'),
    });
    expect(removed.status).toBe(409);
    expect(await removed.text()).toContain('Your role requires two-step verification');
    const alice = (await idp.users.findByUsername('alice'))!;
    expect(await idp.secondFactors.hasTotp(alice.id)).toBe(true);
  });

  it('refuses a form without the CSRF token', async () => {
    const browser = createBrowser();
    await signInAtAccount(browser, idp.url, BOB);
    const answer = await browser.post(new URL('/account/two-factor/totp', idp.url), {
      code: '123456',
    });
    expect(answer.status).toBe(403);
  });

  it('speaks Chinese', async () => {
    const browser = createBrowser();
    await signInAtAccount(browser, idp.url, BOB);
    const page = await browser.fetch(new URL('/account/two-factor?lang=zh-CN', idp.url));
    const shown =
      page.status === 303
        ? await browser.fetch(new URL(page.headers.get('location')!, idp.url))
        : page;
    const html = await shown.text();
    expect(html).toContain('两步验证');
  });
});
