import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeKeys } from '@latchkey/protocol';
import {
  accountHtml,
  ALICE,
  BOB,
  field,
  FIREFOX,
  ISSUER_ORIGIN,
  SAFARI_IPHONE,
  sessionHandles,
  signInAtAccount,
  submitLogin,
  text,
  withHeaders,
} from '../test-support/account-pages.js';
import { createBrowser, signIn, type Browser } from '../test-support/browser.js';
import { createMemoryStore } from '../store/memory-store.js';
import { freshTestDatabase } from '../test-support/test-database.js';
import { startTestIdp, type TestIdp } from '../test-support/test-idp.js';
import { RECENT_LOGIN_MS } from '../sessions/recent-login.js';

// The IdP's clock, moved forward by the tests that need a login to grow old.
let clock = Date.now();
let idp: TestIdp;
beforeAll(async () => {
  const now = () => clock;
  idp = await startTestIdp({}, createMemoryStore({ now }), {
    now,
    // Password changes here must not reach the worker's other tests.
    database: await freshTestDatabase(),
  });
});
afterAll(() => idp.close());

const SHOP = { clientId: 'shop', redirectUri: 'http://shop.localhost:3001/auth/callback' };

function browserAs(userAgent = FIREFOX): Browser {
  return withHeaders(createBrowser(), { 'User-Agent': userAgent });
}

async function signedInBrowser(credentials = ALICE, userAgent = FIREFOX): Promise<Browser> {
  const browser = browserAs(userAgent);
  await signInAtAccount(browser, idp.url, credentials);
  return browser;
}

/** Posts an account form with the page's CSRF token unless `fields` says otherwise. */
async function postForm(
  browser: Browser,
  path: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return browser.fetch(`${idp.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields),
  });
}

async function liveSessions(username: string) {
  const user = (await idp.users.findByUsername(username))!;
  return idp.sessions.listForUser(user.id, clock);
}

describe('GET /account without a session: the login form, then back', () => {
  it('sends the browser to the login form, which comes back to /account after the login', async () => {
    const browser = browserAs();
    const first = await browser.fetch(`${idp.url}/account`);
    expect(first.status).toBe(303);
    expect(first.headers.get('cache-control')).toBe('no-store');
    const location = first.headers.get('location')!;
    expect(location).toMatch(/^\/login\?authz=[\w-]{43}$/);

    const form = await browser.fetch(new URL(location, idp.url));
    const html = await form.text();
    expect(text(html)).toContain('Sign in to manage your account');
    // Its form posts and redirects only here: no client origin in form-action.
    expect(form.headers.get('content-security-policy')).toContain("form-action 'self';");

    const done = await submitLogin(browser, idp.url, location, ALICE);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/account');
    expect(text(await accountHtml(browser, idp.url))).toContain('Signed in as alice');
  });

  it('a wrong password at that form is the login form again, nothing else', async () => {
    const browser = browserAs();
    const first = await browser.fetch(`${idp.url}/account`);
    const answer = await submitLogin(browser, idp.url, first.headers.get('location')!, {
      username: 'alice',
      password: 'not-her-password',
    });
    expect(answer.status).toBe(401);
    expect((await browser.fetch(`${idp.url}/account`)).status).toBe(303);
  });

  it('no open redirect: a page login only ever returns to a page of the IdP', async () => {
    for (const returnTo of ['https://evil.example/', '//evil.example/account', '/login']) {
      await expect(createPendingFor(returnTo), returnTo).rejects.toThrow(TypeError);
    }
    // A record tampered with in the store is not followed either: it is no record at all.
    const pending = await createPendingFor('/account');
    const raw = JSON.parse((await idp.store.get(storeKeys.pendingAuthorization(pending.id)))!);
    raw.page.returnTo = 'https://evil.example/';
    await idp.store.set(storeKeys.pendingAuthorization(pending.id), JSON.stringify(raw));
    const page = await createBrowser().fetch(`${idp.url}/login?authz=${pending.id}`);
    expect(page.status).toBe(400);
  });
});

async function createPendingFor(returnTo: string) {
  const { createPendingAuthorizations } =
    await import('../oauth/authorize/pending-authorization.js');
  return createPendingAuthorizations(idp.store).createForPage({ returnTo, reauth: false }, clock);
}

describe('GET /account: profile and sessions', () => {
  it('shows the profile: username, name, email, roles, created', async () => {
    const browser = await signedInBrowser();
    const page = text(await accountHtml(browser, idp.url));
    for (const expected of [
      'alice',
      'Alice Liddell',
      'alice@example.com',
      'admin',
      'Member since',
    ]) {
      expect(page).toContain(expected);
    }
  });

  it('never framed, never stored, its own origin in Referer (for Origin on its forms)', async () => {
    const browser = await signedInBrowser();
    for (const path of ['/account', '/account/password']) {
      const page = await browser.fetch(`${idp.url}${path}`);
      expect(page.status, path).toBe(200);
      expect(page.headers.get('x-frame-options'), path).toBe('DENY');
      expect(page.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
      expect(page.headers.get('cache-control'), path).toBe('no-store');
      expect(page.headers.get('referrer-policy'), path).toBe('same-origin');
    }
  });

  it('lists each session with device, address, times and apps; marks the current one', async () => {
    const phone = await signedInBrowser(BOB, SAFARI_IPHONE);
    const laptop = await signedInBrowser(BOB, FIREFOX);
    // The laptop signs in to the shop through its IdP session (single sign-on).
    await signIn(laptop, idp.url, SHOP);

    const html = await accountHtml(laptop, idp.url);
    const page = text(html);
    expect(page).toContain('Firefox on Linux This device');
    expect(page).toContain('Safari on iPhone');
    expect(page).toContain(FIREFOX);
    expect(page).toContain('Address: 127.0.0.1');
    expect(page).toContain('Apps: Latchkey Shop (demo)');
    expect(page).toContain('Apps: none yet');
    expect(html).toMatch(/<time datetime="\d{4}-\d\d-\d\dT/);
    // The handles name sessions without being their credentials.
    const { current, others } = sessionHandles(html);
    expect(others).toHaveLength(1);
    for (const session of await liveSessions('bob')) {
      expect(html).not.toContain(session.sid);
    }
    expect(sessionHandles(await accountHtml(phone, idp.url)).others).toContain(current);
    expect(html).toContain('data-action="sign-out-others"');
  });

  it('shows a hostile User-Agent as text, escaped', async () => {
    const hostile = '<img src=x onerror=alert(1)>"\'&<script>alert(2)</script>';
    const browser = await signedInBrowser(BOB, hostile);
    const html = await accountHtml(browser, idp.url);
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script>');
    expect(html).toContain(
      '&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;&lt;script&gt;alert(2)&lt;/script&gt;',
    );
    expect(text(html)).toContain('Unknown device');
  });

  it('shows a notice only from its own list, never text from the URL', async () => {
    const browser = await signedInBrowser();
    const done = text(await accountHtml(browser, idp.url, '/account?done=session-ended'));
    expect(done).toContain('That session is signed out.');
    const other = await accountHtml(browser, idp.url, '/account?done=%3Cb%3Ehacked%3C/b%3E');
    expect(other).not.toContain('hacked');
    expect(other).not.toContain('class="notice"');
  });

  it('speaks Chinese when asked, the forms keep the language', async () => {
    const browser = await signedInBrowser();
    const html = await accountHtml(browser, idp.url, '/account?lang=zh-CN');
    expect(html).toContain('<html lang="zh-CN">');
    expect(text(html)).toContain('我的账号');
    expect(html).toContain('name="lang" value="zh-CN"');
  });
});

describe('every account form: CSRF token and Origin', () => {
  const forms = [
    ['/account/sessions/sign-out', (html: string) => ({ session: sessionHandles(html).current })],
    ['/account/sessions/sign-out-others', () => ({})],
    [
      '/account/password',
      () => ({
        current_password: ALICE.password,
        new_password: 'a-brand-new-passphrase',
        confirm_password: 'a-brand-new-passphrase',
      }),
    ],
  ] as const;

  it.each(forms)('%s without a CSRF token: 403, nothing changed', async (path, body) => {
    const browser = await signedInBrowser(BOB);
    const html = await accountHtml(browser, idp.url);
    const before = await liveSessions('bob');
    const answer = await postForm(browser, path, body(html));
    expect(answer.status).toBe(403);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(text(await answer.text())).toContain('Nothing was changed.');
    expect((await liveSessions('bob')).length).toBe(before.length);
    expect((await browser.fetch(`${idp.url}/account`)).status).toBe(200);
  });

  it.each(forms)("%s with a wrong or another session's token: 403", async (path, body) => {
    const browser = await signedInBrowser(BOB);
    const other = await signedInBrowser(BOB);
    const html = await accountHtml(browser, idp.url);
    const otherToken = field(await accountHtml(other, idp.url), 'csrf');
    for (const csrf of ['A'.repeat(43), otherToken]) {
      const answer = await postForm(browser, path, { ...body(html), csrf });
      expect(answer.status).toBe(403);
    }
    expect((await browser.fetch(`${idp.url}/account`)).status).toBe(200);
  });

  it.each(forms)('%s from a foreign Origin, even with the token: 403', async (path, body) => {
    const browser = await signedInBrowser(BOB);
    const html = await accountHtml(browser, idp.url);
    const fields = { ...body(html), csrf: field(html, 'csrf') };
    const foreign: Array<Record<string, string>> = [
      { Origin: 'http://shop.localhost:3001' },
      { Origin: 'null' },
      { Origin: 'http://idp.localhost:4000.evil.example' },
      { 'Sec-Fetch-Site': 'same-site' },
      { 'Sec-Fetch-Site': 'cross-site' },
    ];
    for (const headers of foreign) {
      const answer = await postForm(browser, path, fields, headers);
      expect(answer.status, JSON.stringify(headers)).toBe(403);
    }
    expect((await browser.fetch(`${idp.url}/account`)).status).toBe(200);
  });
});

describe('signing out sessions', () => {
  it('"Sign out" ends another session: that browser is asked to sign in again', async () => {
    const mine = await signedInBrowser(BOB);
    const theirs = await signedInBrowser(BOB, SAFARI_IPHONE);
    const html = await accountHtml(mine, idp.url);
    const target = sessionHandles(await accountHtml(theirs, idp.url)).current;
    const answer = await postForm(
      mine,
      '/account/sessions/sign-out',
      { csrf: field(html, 'csrf'), session: target },
      { Origin: ISSUER_ORIGIN, 'Sec-Fetch-Site': 'same-origin' },
    );
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/account?done=session-ended');
    expect((await theirs.fetch(`${idp.url}/account`)).status).toBe(303);
    expect((await mine.fetch(`${idp.url}/account`)).status).toBe(200);
  });

  it('"Sign out" of this session signs this browser out', async () => {
    const browser = await signedInBrowser(BOB);
    const html = await accountHtml(browser, idp.url);
    const answer = await postForm(browser, '/account/sessions/sign-out', {
      csrf: field(html, 'csrf'),
      session: sessionHandles(html).current,
    });
    expect(answer.status).toBe(200);
    expect(text(await answer.text())).toContain('You are signed out');
    expect(browser.cookie(idp.url, 'latchkey_session')).toBeUndefined();
    expect((await browser.fetch(`${idp.url}/account`)).status).toBe(303);
  });

  it("a handle of another user's session changes nothing", async () => {
    const alice = await signedInBrowser(ALICE);
    const bob = await signedInBrowser(BOB);
    const aliceHandle = sessionHandles(await accountHtml(alice, idp.url)).current;
    const html = await accountHtml(bob, idp.url);
    const answer = await postForm(bob, '/account/sessions/sign-out', {
      csrf: field(html, 'csrf'),
      session: aliceHandle,
    });
    expect(answer.status).toBe(303);
    expect((await alice.fetch(`${idp.url}/account`)).status).toBe(200);
  });

  it('"Sign out everywhere else" keeps only this session', async () => {
    const others = [await signedInBrowser(BOB), await signedInBrowser(BOB, SAFARI_IPHONE)];
    const mine = await signedInBrowser(BOB);
    const html = await accountHtml(mine, idp.url);
    const answer = await postForm(mine, '/account/sessions/sign-out-others', {
      csrf: field(html, 'csrf'),
    });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/account?done=others-ended');
    for (const other of others) expect((await other.fetch(`${idp.url}/account`)).status).toBe(303);
    const after = await accountHtml(mine, idp.url, '/account?done=others-ended');
    expect(sessionHandles(after).others).toEqual([]);
    expect(text(after)).toContain('You are signed out everywhere else.');
    expect(after).not.toContain('data-action="sign-out-others"');
  });
});

describe('a sensitive action on a login older than 10 minutes: re-authenticate, then back', () => {
  it('sign out everywhere else: asks for the password, keeps the session and its sid', async () => {
    const other = await signedInBrowser(BOB);
    const mine = await signedInBrowser(BOB);
    const html = await accountHtml(mine, idp.url);
    const sidBefore = mine.cookie(idp.url, 'latchkey_session');
    clock += RECENT_LOGIN_MS + 1_000;
    const answer = await postForm(mine, '/account/sessions/sign-out-others', {
      csrf: field(html, 'csrf'),
    });
    expect(answer.status).toBe(303);
    const location = answer.headers.get('location')!;
    expect(location).toMatch(/^\/login\?authz=/);
    // Nothing was done yet.
    expect((await other.fetch(`${idp.url}/account`)).status).toBe(200);

    const form = await (await mine.fetch(new URL(location, idp.url))).text();
    expect(text(form)).toContain('Confirm it is you');
    expect(form).toMatch(/name="username" value="bob"[^>]* readonly/);
    const back = await submitLogin(mine, idp.url, location, BOB);
    expect(back.headers.get('location')).toBe('/account');
    expect(mine.cookie(idp.url, 'latchkey_session')).toBe(sidBefore);

    const again = await postForm(mine, '/account/sessions/sign-out-others', {
      csrf: field(await accountHtml(mine, idp.url), 'csrf'),
    });
    expect(again.headers.get('location')).toBe('/account?done=others-ended');
    expect((await other.fetch(`${idp.url}/account`)).status).toBe(303);
  });

  it('change password: the form itself asks first, and comes back to it', async () => {
    const browser = await signedInBrowser(BOB);
    clock += RECENT_LOGIN_MS + 1_000;
    const page = await browser.fetch(`${idp.url}/account/password`);
    expect(page.status).toBe(303);
    const back = await submitLogin(browser, idp.url, page.headers.get('location')!, BOB);
    expect(back.headers.get('location')).toBe('/account/password');
    expect((await browser.fetch(`${idp.url}/account/password`)).status).toBe(200);
  });

  it('change password posted on a stale login: re-authenticate, password unchanged', async () => {
    const browser = await signedInBrowser(BOB);
    const html = await accountHtml(browser, idp.url, '/account/password');
    clock += RECENT_LOGIN_MS + 1_000;
    const answer = await postForm(browser, '/account/password', {
      csrf: field(html, 'csrf'),
      current_password: BOB.password,
      new_password: 'a-brand-new-passphrase',
      confirm_password: 'a-brand-new-passphrase',
    });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toMatch(/^\/login\?authz=/);
    // The old password still works: nothing was changed.
    await signedInBrowser(BOB);
  });
});

describe('change password', () => {
  async function passwordForm(credentials = ALICE) {
    const browser = await signedInBrowser(credentials);
    const html = await accountHtml(browser, idp.url, '/account/password');
    return { browser, csrf: field(html, 'csrf') };
  }

  function change(
    browser: Browser,
    csrf: string,
    passwords: { current: string; next: string; again?: string },
  ) {
    // Built by hand, so that raw percent-encoded bytes reach the server as they are.
    const encode = (value: string) =>
      value.includes('%ED') ? value.replace(/ /g, '+') : encodeURIComponent(value);
    const body = [
      `csrf=${csrf}`,
      `current_password=${encode(passwords.current)}`,
      `new_password=${encode(passwords.next)}`,
      `confirm_password=${encode(passwords.again ?? passwords.next)}`,
    ].join('&');
    return browser.fetch(`${idp.url}/account/password`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body,
    });
  }

  it('the form: current password, the new one twice, the hint, autocomplete tokens', async () => {
    const { browser } = await passwordForm();
    const html = await accountHtml(browser, idp.url, '/account/password');
    expect(html).toContain('autocomplete="current-password"');
    expect(html.match(/autocomplete="new-password"/g)).toHaveLength(2);
    expect(text(html)).toContain('At least 8 characters; 15 or more is better.');
  });

  it('a wrong current password: refused, nothing changed', async () => {
    const { browser, csrf } = await passwordForm(BOB);
    const answer = await change(browser, csrf, {
      current: 'not-bobs-password',
      next: 'a-brand-new-passphrase',
    });
    expect(answer.status).toBe(400);
    expect(text(await answer.text())).toContain('The current password is incorrect.');
    await signedInBrowser(BOB);
  });

  it('wrong current passwords count as failed logins: the sixth is 429, right or wrong', async () => {
    const user = { username: 'dave', password: 'daves-first-passphrase' };
    await createUser(user);
    const { browser, csrf } = await passwordForm(user);
    const next = 'a-brand-new-passphrase';
    for (let attempt = 0; attempt < 5; attempt++) {
      const wrong = await change(browser, csrf, { current: `guess-${attempt}-xyz`, next });
      expect(wrong.status).toBe(400);
    }
    const blocked = await change(browser, csrf, { current: user.password, next });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(text(await blocked.text())).toContain('Too many failed attempts.');
    // The login form counts the same attempts: the account is throttled there too.
    const login = browserAs();
    const first = await login.fetch(`${idp.url}/account`);
    const there = await submitLogin(login, idp.url, first.headers.get('location')!, user);
    expect(there.status).toBe(429);
  });

  const refused: Array<[string, string, string]> = [
    ['0 characters', '', 'Fill in every field.'],
    ['7 characters', 'seven77', 'at least 8 characters'],
    ['129 characters', 'x'.repeat(129), 'at most 128 characters'],
    ['100,000 characters', 'y'.repeat(100_000), 'at most 128 characters'],
    ['a NUL byte', 'long enough\u0000password', 'characters that cannot be typed again'],
    // A form cannot carry a lone surrogate as such (URLSearchParams would make it U+FFFD):
    // its WTF-8 bytes are what a browser or a script can send; they decode to U+FFFD.
    ['a lone surrogate', 'long enough %ED%A0%80 password', 'characters that cannot be typed again'],
    ['the username', 'my-name-is-alice-ok', 'must not contain your username'],
    ['a common password', 'password', 'attackers try first'],
  ];
  it.each(refused)('refuses a new password of %s, with a clear page', async (_, next, says) => {
    const { browser, csrf } = await passwordForm();
    const answer = await change(browser, csrf, { current: ALICE.password, next });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    expect(text(await answer.text())).toContain(says);
    // Unchanged: the old password still signs in.
    await signedInBrowser(ALICE);
  });

  it('refuses two different new passwords', async () => {
    const { browser, csrf } = await passwordForm();
    const answer = await change(browser, csrf, {
      current: ALICE.password,
      next: 'a-brand-new-passphrase',
      again: 'a-brand-new-passphrasf',
    });
    expect(answer.status).toBe(400);
    expect(text(await answer.text())).toContain('The two new passwords are not the same.');
  });

  it('changes it: the other sessions end, this one stays, old password out, new one in', async () => {
    const user = { username: 'carol', password: 'carols-first-passphrase' };
    await createUser(user);
    const other = await signedInBrowser(user);
    const { browser, csrf } = await passwordForm(user);
    const next = 'a-second-long-passphrase';
    const answer = await change(browser, csrf, { current: user.password, next });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/account?done=password-changed');
    expect(text(await accountHtml(browser, idp.url, answer.headers.get('location')!))).toContain(
      'Your password was changed.',
    );
    expect((await other.fetch(`${idp.url}/account`)).status).toBe(303);

    const old = browserAs();
    const first = await old.fetch(`${idp.url}/account`);
    const refusedLogin = await submitLogin(old, idp.url, first.headers.get('location')!, user);
    expect(refusedLogin.status).toBe(401);
    await signedInBrowser({ ...user, password: next });
  });
});

async function createUser(user: { username: string; password: string }) {
  const { hashPassword } = await import('../users/password-hash.js');
  await idp.users.save({
    id: `id-${user.username}`,
    username: user.username,
    passwordHash: await hashPassword(user.password),
    roles: ['user'],
    email: `${user.username}@example.com`,
  });
}
