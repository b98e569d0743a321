import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorizeUrl,
  createBrowser,
  loginFormFields,
  secondFactorFields,
  signIn,
  type Browser,
  sidInCookie,
} from '../test-support/browser.js';
import { freshTestDatabase } from '../test-support/test-database.js';
import { createMemoryStore } from '../store/memory-store.js';
import { startTestIdp, type TestIdp } from '../test-support/test-idp.js';
import { timeStep, totpCodeAt, TOTP_PERIOD_S } from './totp-code.js';

const SHOP = { clientId: 'shop', redirectUri: 'http://shop.localhost:3001/auth/callback' };
const BOB = { username: 'bob', password: 'builder-bob' };
const ALICE = { username: 'alice', password: 'wonderland-alice' };
const STEP_MS = TOTP_PERIOD_S * 1000;

// Near the real time: the test browser drops cookies whose Expires has passed by its clock.
let clock = Math.floor(Date.now() / STEP_MS) * STEP_MS + 5_000;
const now = () => clock;
let idp: TestIdp;
let bobSecret: string;
let bobRecovery: string[];

beforeAll(async () => {
  const database = await freshTestDatabase();
  idp = await startTestIdp({}, createMemoryStore({ now }), { now, database });
  const bob = (await idp.users.findByUsername('bob'))!;
  const begun = await idp.secondFactors.beginTotp(bob);
  const confirmed = await idp.secondFactors.confirmTotp(
    bob.id,
    totpCodeAt(begun!.secret, timeStep(now())),
  );
  if (!confirmed.ok) throw new Error('enrolment failed');
  bobSecret = begun!.secret;
  bobRecovery = confirmed.recoveryCodes;
}, 60_000);
afterAll(() => idp.close());

/** The next step's code: each test moves the clock on so that no code is a replay. */
function nextCode(): string {
  clock += STEP_MS;
  return totpCodeAt(bobSecret, timeStep(now()));
}

/** Authorize at the shop and post bob's password; the answer to the password form. */
async function passwordStep(browser: Browser, user = BOB) {
  const { url } = authorizeUrl(idp.url, SHOP);
  const toLogin = await browser.fetch(url);
  const loginUrl = new URL(toLogin.headers.get('location')!, idp.url);
  const fields = loginFormFields(await (await browser.fetch(loginUrl)).text());
  return browser.post(new URL('/login', idp.url), { ...fields, ...user });
}

async function openSecondFactor(browser: Browser) {
  const answer = await passwordStep(browser);
  expect(answer.status).toBe(303);
  const location = new URL(answer.headers.get('location')!, idp.url);
  expect(location.pathname).toBe('/login/second-factor');
  const page = await browser.fetch(location);
  const html = await page.text();
  return { location, page, html, fields: secondFactorFields(html) };
}

const postCode = (browser: Browser, fields: Record<string, string>, code: string) =>
  browser.post(new URL('/login/second-factor', idp.url), { ...fields, code });

describe('the two-step login', () => {
  it('asks a user with a TOTP for a code after the password, with no session yet', async () => {
    const browser = createBrowser();
    const { page, html } = await openSecondFactor(browser);
    expect(page.status).toBe(200);
    expect(html).toMatch(
      /<input type="text" id="code" name="code"[^>]*autocomplete="one-time-code"/,
    );
    expect(html).not.toContain('data-action="passkey-second-factor"');
    expect(page.headers.get('content-security-policy')).toContain(
      "form-action 'self' http://shop.localhost:3001",
    );
    expect(browser.cookie(idp.url, 'latchkey_session')).toBeUndefined();
  });

  it('a right code ends the login with a code for the shop, amr pwd otp mfa', async () => {
    const browser = createBrowser();
    const { fields } = await openSecondFactor(browser);
    const answer = await postCode(browser, fields, nextCode());
    expect(answer.status).toBe(303);
    const callback = new URL(answer.headers.get('location')!);
    expect(callback.origin + callback.pathname).toBe(SHOP.redirectUri);
    expect(callback.searchParams.get('code')).toBeTruthy();
    const sid = sidInCookie(browser.cookie(idp.url, 'latchkey_session')!);
    const session = await idp.sessions.find(sid, now());
    expect(session?.amr).toEqual(['pwd', 'otp', 'mfa']);
    expect(session?.acr).toBe('urn:latchkey:acr:mfa');
  });

  it('a user without a second factor signs in with the password alone, amr pwd', async () => {
    const browser = createBrowser();
    const result = await signIn(browser, idp.url, { ...SHOP, ...ALICE });
    expect(result.code).toBeTruthy();
    const session = await idp.sessions.find(
      sidInCookie(browser.cookie(idp.url, 'latchkey_session')!),
      now(),
    );
    expect(session?.amr).toEqual(['pwd']);
  });

  it('refuses a wrong code with the form again (401), and a replayed TOTP code', async () => {
    const browser = createBrowser();
    const { fields } = await openSecondFactor(browser);
    const wrong = await postCode(browser, fields, '000000');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('That code is not right, or it was already used.');

    const code = nextCode();
    expect((await postCode(browser, fields, code)).status).toBe(303);
    // The same code in another login, in the same window: refused.
    const other = createBrowser();
    const second = await openSecondFactor(other);
    const replayed = await postCode(other, second.fields, code);
    expect(replayed.status).toBe(401);
  });

  it('accepts a recovery code once, and refuses a recovery code used twice', async () => {
    const first = createBrowser();
    const { fields } = await openSecondFactor(first);
    expect((await postCode(first, fields, bobRecovery[0]!)).status).toBe(303);
    const again = createBrowser();
    const second = await openSecondFactor(again);
    expect((await postCode(again, second.fields, bobRecovery[0]!)).status).toBe(401);
  });

  it('the step cannot be completed from another browser (CSRF cookie bound)', async () => {
    const browser = createBrowser();
    const { location, fields } = await openSecondFactor(browser);
    const stranger = createBrowser();
    expect((await stranger.fetch(location)).status).toBe(400);
    expect((await postCode(stranger, fields, nextCode())).status).toBe(400);
    expect(stranger.cookie(idp.url, 'latchkey_session')).toBeUndefined();
  });

  it('the step is single use: a second right code after completion gets "expired"', async () => {
    const browser = createBrowser();
    const { fields } = await openSecondFactor(browser);
    expect((await postCode(browser, fields, nextCode())).status).toBe(303);
    expect((await postCode(browser, fields, nextCode())).status).toBe(400);
  });

  it('the step expires: a right code after five minutes gets "expired"', async () => {
    const browser = createBrowser();
    const { fields } = await openSecondFactor(browser);
    clock += 5 * 60_000;
    expect((await postCode(browser, fields, nextCode())).status).toBe(400);
  });

  it('answers an unknown or malformed step with the expired page, never a 500', async () => {
    const browser = createBrowser();
    for (const step of ['', 'x', 'a'.repeat(43), '%00']) {
      const page = await browser.fetch(new URL(`/login/second-factor?step=${step}`, idp.url));
      expect(page.status).toBe(400);
      const post = await browser.post(new URL('/login/second-factor', idp.url), {
        step,
        csrf: 'x',
        code: '123456',
      });
      expect(post.status).toBe(400);
    }
  });

  it('speaks Chinese when the login form was in Chinese', async () => {
    const browser = createBrowser();
    const { url } = authorizeUrl(idp.url, { ...SHOP, extra: { ui_locales: 'zh-CN' } });
    const toLogin = await browser.fetch(url);
    const loginUrl = new URL(toLogin.headers.get('location')!, idp.url);
    const fields = loginFormFields(await (await browser.fetch(loginUrl)).text());
    const answer = await browser.post(new URL('/login', idp.url), {
      ...fields,
      ...BOB,
      lang: 'zh-CN',
    });
    const page = await browser.fetch(new URL(answer.headers.get('location')!, idp.url));
    const html = await page.text();
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('两步验证');
  });
});
