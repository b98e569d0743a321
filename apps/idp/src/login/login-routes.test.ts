import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revocationKeys } from '@latchkey/protocol';
import {
  authorizeUrl,
  createBrowser,
  loginFormFields,
  signIn,
  type Browser,
  sidInCookie,
} from '../test-support/browser.js';
import { claimsOf, post, refresh } from '../test-support/grants.js';
import { basicAuth, startTestIdp, type TestIdp } from '../test-support/test-idp.js';
import { createMemoryStore } from '../store/memory-store.js';
import { en } from '../i18n/catalogue-en.js';
import { hashPassword } from '../users/password-hash.js';
import { WRONG_CREDENTIALS } from './login-routes.js';

const SHOP = { clientId: 'shop', redirectUri: 'http://shop.localhost:3001/auth/callback' };
const WIKI = { clientId: 'wiki', redirectUri: 'http://wiki.localhost:3002/auth/callback' };
const SHOP_AUTH = basicAuth('shop', 'shop-demo-secret');
const WIKI_AUTH = basicAuth('wiki', 'wiki-demo-secret');
const ALICE = { username: 'alice', password: 'wonderland-alice' };
const SESSION_COOKIE = 'latchkey_session';

let idp: TestIdp;
beforeAll(async () => {
  idp = await startTestIdp();
});
afterAll(() => idp.close());

/** Starts an authorization in `browser` and opens the login form it leads to. */
async function openLoginForm(browser: Browser, extra: Record<string, string> = {}) {
  const { url, state } = authorizeUrl(idp.url, { ...SHOP, extra });
  const redirect = await browser.fetch(url);
  const loginUrl = new URL(redirect.headers.get('location')!, idp.url);
  const page = await browser.fetch(loginUrl);
  const html = await page.text();
  return { page, html, loginUrl, state, fields: loginFormFields(html) };
}

function postLogin(browser: Browser, fields: Record<string, string>) {
  return browser.post(new URL('/login', idp.url), fields);
}

describe('GET /login: the page', () => {
  it('is accessible HTML that names the client and fits a phone', async () => {
    const { page, html } = await openLoginForm(createBrowser());
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html.replace(/<[^>]+>/g, '')).toContain('Sign in to continue to Latchkey Shop (demo)');
    expect(html).toMatch(/<label for="username">/);
    expect(html).toMatch(/<label for="password">/);
    // `webauthn`: the browser offers passkeys among the field's suggestions (conditional UI).
    expect(html).toMatch(/id="username" name="username"[^>]*autocomplete="username webauthn"/);
    expect(html).toMatch(
      /type="password" id="password" name="password" autocomplete="current-password"/,
    );
    expect(html).toContain('<button type="submit">');
    expect(html).toContain('role="alert"');
    // One script, the IdP's own file (the passkey sign-in); no inline script. The password
    // form works without it.
    expect(html.match(/<script[^>]*>/g)).toEqual(['<script src="/assets/passkeys.js" defer>']);
  });

  it('sends the security headers of an HTML page: CSP, nosniff, no referrer, no store', async () => {
    const { page } = await openLoginForm(createBrowser());
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    // The form posts here; the redirect after it goes to the client, which CSP also governs.
    expect(csp).toContain("form-action 'self' http://shop.localhost:3001");
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/]+=*'/);
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('cache-control')).toBe('no-store');
  });

  it('sets the CSRF cookie HttpOnly and SameSite=Lax', async () => {
    const browser = createBrowser();
    const { url } = authorizeUrl(idp.url, SHOP);
    const redirect = await browser.fetch(url);
    const page = await browser.fetch(new URL(redirect.headers.get('location')!, idp.url));
    const setCookie = page.headers.getSetCookie().find((line) => line.startsWith('latchkey_csrf_'));
    expect(setCookie).toMatch(/httponly/i);
    expect(setCookie).toMatch(/samesite=lax/i);
  });

  it('an unknown or missing authz is a readable 400 page, not a 500', async () => {
    for (const query of ['?authz=' + 'x'.repeat(43), '?authz=nonsense', '']) {
      const response = await fetch(`${idp.url}/login${query}`);
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('expired');
    }
  });
});

describe('POST /login', () => {
  it('a correct password starts a session, sets the cookie and sends a code to the client', async () => {
    const browser = createBrowser();
    const { fields, state } = await openLoginForm(browser);
    const response = await postLogin(browser, { ...fields, ...ALICE });
    expect(response.status).toBe(303);
    const callback = new URL(response.headers.get('location')!);
    expect(callback.origin + callback.pathname).toBe(SHOP.redirectUri);
    expect(callback.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(callback.searchParams.get('state')).toBe(state);
    const cookie = response.headers
      .getSetCookie()
      .find((line) => line.startsWith(`${SESSION_COOKIE}=`));
    expect(cookie).toMatch(/httponly/i);
    expect(cookie).toMatch(/samesite=lax/i);
    expect(cookie).not.toMatch(/domain=/i);
  });

  it('two login forms open in one browser (two tabs) both stay usable', async () => {
    const browser = createBrowser();
    const first = await openLoginForm(browser);
    const second = await openLoginForm(browser);
    expect(first.fields.authz).not.toBe(second.fields.authz);
    // The form shown first is submitted after the second one was rendered.
    const response = await postLogin(browser, { ...first.fields, ...ALICE });
    expect(response.status).toBe(303);
    expect(new URL(response.headers.get('location')!).searchParams.get('state')).toBe(first.state);
  });

  it("a form's token does not work with another authorization's cookie", async () => {
    const browser = createBrowser();
    const first = await openLoginForm(browser);
    const second = await openLoginForm(browser);
    const response = await postLogin(browser, {
      ...first.fields,
      csrf: second.fields.csrf,
      ...ALICE,
    });
    expect(response.status).toBe(403);
  });

  it('a wrong password and an unknown user get the same 401 page and message (no enumeration)', async () => {
    const answers = [];
    for (const credentials of [
      { username: 'alice', password: 'not-her-password' },
      { username: 'nobody-by-that-name', password: 'not-her-password' },
    ]) {
      const browser = createBrowser();
      const { fields } = await openLoginForm(browser);
      const response = await postLogin(browser, { ...fields, ...credentials });
      const html = await response.text();
      expect(response.status).toBe(401);
      expect(html).toContain(en[WRONG_CREDENTIALS]);
      expect(browser.cookie(idp.url, SESSION_COOKIE)).toBeUndefined();
      // A fresh CSRF token for the next try, and the form still works with it.
      const next = loginFormFields(html);
      expect(next.csrf).not.toBe(fields.csrf);
      // Per-form values and the switcher's links (they name the authorization) aside.
      // Each form carries its own passkey challenge in its options.
      answers.push(html.replace(/(value|href|data-options)="[^"]*"/g, ''));
    }
    expect(answers[0]).toBe(answers[1]);
  });

  it('a disabled user with the right password gets the same 401 page as a wrong password', async () => {
    await idp.users.save({
      id: 'id-dora-disabled',
      username: 'dora-disabled',
      passwordHash: await hashPassword('dora-password'),
      roles: ['user'],
      state: 'disabled',
    });
    const answers = [];
    for (const password of ['dora-password', 'not-her-password']) {
      const browser = createBrowser();
      const { fields } = await openLoginForm(browser);
      const response = await postLogin(browser, { ...fields, username: 'dora-disabled', password });
      expect(response.status).toBe(401);
      expect(browser.cookie(idp.url, SESSION_COOKIE)).toBeUndefined();
      // Only what is per request may differ: field values and the authz in the language link.
      answers.push(
        (await response.text())
          .replace(/(value|data-options)="[^"]*"/g, '')
          .replace(/authz=[\w-]+/g, 'authz'),
      );
    }
    expect(answers[0]).toBe(answers[1]);
  });

  it.each(['ALICE', 'alice ', 'ａｌｉｃｅ'])(
    'the username %j signs in as alice: one account whatever the case, width or spaces',
    async (username) => {
      const browser = createBrowser();
      const { fields } = await openLoginForm(browser);
      const response = await postLogin(browser, { ...fields, ...ALICE, username });
      expect(response.status).toBe(303);
      expect(new URL(response.headers.get('location')!).searchParams.has('code')).toBe(true);
    },
  );

  it('after a failed attempt, the re-rendered form logs in', async () => {
    const browser = createBrowser();
    const { fields } = await openLoginForm(browser);
    const failed = await postLogin(browser, { ...fields, username: 'alice', password: 'wrong' });
    const retry = await postLogin(browser, { ...loginFormFields(await failed.text()), ...ALICE });
    expect(retry.status).toBe(303);
    expect(new URL(retry.headers.get('location')!).searchParams.has('code')).toBe(true);
  });

  it('login CSRF: a forged CSRF token is refused (403) and logs nobody in', async () => {
    const browser = createBrowser();
    const { fields } = await openLoginForm(browser);
    const response = await postLogin(browser, { ...fields, csrf: 'A'.repeat(43), ...ALICE });
    expect(response.status).toBe(403);
    expect(response.headers.get('location')).toBeNull();
    expect(browser.cookie(idp.url, SESSION_COOKIE)).toBeUndefined();
  });

  it('login CSRF: a missing CSRF token is refused (403)', async () => {
    const browser = createBrowser();
    const { fields } = await openLoginForm(browser);
    const response = await postLogin(browser, { authz: fields.authz, ...ALICE });
    expect(response.status).toBe(403);
    expect(browser.cookie(idp.url, SESSION_COOKIE)).toBeUndefined();
  });

  it("login CSRF: another browser's post (the attacker's authz and token, no cookie) is refused", async () => {
    const attacker = createBrowser();
    const { fields } = await openLoginForm(attacker);
    // The victim's browser submits the attacker's form cross-site: no CSRF cookie goes along.
    const victim = createBrowser();
    const response = await postLogin(victim, {
      ...fields,
      username: 'bob',
      password: 'builder-bob',
    });
    expect(response.status).toBe(403);
    expect(victim.cookie(idp.url, SESSION_COOKIE)).toBeUndefined();
  });

  it('an expired or already used authorization gets a readable 400 page', async () => {
    const browser = createBrowser();
    const { fields } = await openLoginForm(browser);
    expect((await postLogin(browser, { ...fields, ...ALICE })).status).toBe(303);
    const replay = await postLogin(browser, { ...fields, ...ALICE });
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('expired');
  });

  it('session fixation: the session id changes at login, and the old session is revoked everywhere', async () => {
    const browser = createBrowser();
    await signIn(browser, idp.url, { ...SHOP, ...ALICE });
    const first = sidInCookie(browser.cookie(idp.url, SESSION_COOKIE)!);
    const { fields } = await openLoginForm(browser, { prompt: 'login' });
    const response = await postLogin(browser, {
      ...fields,
      username: 'bob',
      password: 'builder-bob',
    });
    expect(response.status).toBe(303);
    const second = sidInCookie(browser.cookie(idp.url, SESSION_COOKIE)!);
    expect(second).toBeTruthy();
    expect(second).not.toBe(first);
    expect(await idp.sessions.find(first, Date.now())).toBeNull();
    expect((await idp.sessions.find(second, Date.now()))?.username).toBe('bob');
    // Revoked, not just removed: the apps still showing alice learn it through the SDK.
    const revoked = await idp.store.setMembers(revocationKeys.set);
    expect(revoked.has(`sid:${first}`)).toBe(true);
    expect(revoked.has(`sid:${second}`)).toBe(false);
  });

  it('re-authentication (prompt=login, max_age): the same user keeps the session and sid, with a newer auth_time; tokens issued in it stay valid', async () => {
    let clock = Date.now();
    const now = () => clock;
    const clocked = await startTestIdp({}, createMemoryStore({ now }), { now });
    try {
      const browser = createBrowser();
      const redeemAt = async (
        client: typeof SHOP,
        auth: string,
        code: string,
        verifier: string,
      ) => {
        const result = await post(
          clocked,
          '/token',
          {
            grant_type: 'authorization_code',
            code,
            redirect_uri: client.redirectUri,
            code_verifier: verifier,
          },
          { Authorization: auth },
        );
        expect(result.status).toBe(200);
        return result.json as Record<string, string>;
      };
      const first = await signIn(browser, clocked.url, { ...SHOP, ...ALICE });
      const shop = await redeemAt(SHOP, SHOP_AUTH, first.code, first.verifier);
      const sid = browser.cookie(clocked.url, SESSION_COOKIE);
      const firstClaims = claimsOf(shop.id_token!);

      let elapsedSec = 0;
      for (const extra of [{ prompt: 'login' }, { max_age: '60' }] as Record<string, string>[]) {
        clock += 120_000;
        elapsedSec += 120;
        const again = await signIn(browser, clocked.url, { ...WIKI, ...ALICE, extra });
        expect(again.loginFormShown).toBe(true);
        expect(browser.cookie(clocked.url, SESSION_COOKIE)).toBe(sid);
        const wiki = await redeemAt(WIKI, WIKI_AUTH, again.code, again.verifier);
        expect(claimsOf(wiki.id_token!)).toMatchObject({
          sid: firstClaims.sid,
          auth_time: (firstClaims.auth_time as number) + elapsedSec,
        });
      }

      // The shop's tokens from before the re-authentication still work.
      const userinfo = await fetch(`${clocked.url}/userinfo`, {
        headers: { Authorization: `Bearer ${shop.access_token!}` },
      });
      expect(userinfo.status).toBe(200);
      const refreshed = await refresh(clocked, shop.refresh_token!, {
        id: SHOP.clientId,
        auth: SHOP_AUTH,
      });
      expect(refreshed.status).toBe(200);
    } finally {
      await clocked.close();
    }
  });

  it('session fixation: a planted session id is never adopted', async () => {
    const browser = createBrowser();
    const planted = 'p'.repeat(43);
    browser.setCookie(idp.url, SESSION_COOKIE, planted);
    await signIn(browser, idp.url, { ...SHOP, ...ALICE });
    expect(browser.cookie(idp.url, SESSION_COOKIE)).not.toBe(planted);
  });

  it('OIDC Core 3.1.2.1: prompt=login shows the form, and logging in there completes the flow', async () => {
    const browser = createBrowser();
    await signIn(browser, idp.url, { ...SHOP, ...ALICE });
    const again = await signIn(browser, idp.url, { ...WIKI, ...ALICE, extra: { prompt: 'login' } });
    expect(again.loginFormShown).toBe(true);
  });

  it('an over-long field or a body that is not a form gets a readable page, not a 500', async () => {
    const browser = createBrowser();
    const { fields } = await openLoginForm(browser);
    const long = await postLogin(browser, {
      ...fields,
      username: 'alice',
      password: 'p'.repeat(5000),
    });
    expect(long.status).toBe(400);
    expect(long.headers.get('content-type')).toMatch(/^text\/html/);
    const json = await browser.fetch(new URL('/login', idp.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(json.status).toBe(400);
    expect(json.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('empty fields re-render the form with a hint, counting no failure', async () => {
    const browser = createBrowser();
    const { fields } = await openLoginForm(browser);
    const response = await postLogin(browser, { ...fields, username: 'alice' });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Enter your username and password.');
  });
});
