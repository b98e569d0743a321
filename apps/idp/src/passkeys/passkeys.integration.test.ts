import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../logger.js';
import { RECENT_LOGIN_MS } from '../sessions/recent-login.js';
import { createMemoryStore } from '../store/memory-store.js';
import { ALICE, BOB, signInAtAccount, submitLogin } from '../test-support/account-pages.js';
import {
  authorizeUrl,
  createBrowser,
  pkcePair,
  sidInCookie,
  type Browser,
} from '../test-support/browser.js';
import {
  ceremonyOf,
  enrolPasskey,
  loginFormWithPasskey,
  postPasskeyLogin,
} from '../test-support/passkey-pages.js';
import {
  softwareAuthenticator,
  type SoftCredential,
} from '../test-support/software-authenticator.js';
import { freshTestDatabase } from '../test-support/test-database.js';
import { startTestIdp, type TestIdp } from '../test-support/test-idp.js';
import { hashPassword } from '../users/password-hash.js';
import { CEREMONY_TIMEOUT_MS } from './passkey-ceremonies.js';
import { MAX_CLIENT_DATA_BYTES, MAX_RESPONSE_CHARS } from './passkey-response.js';

const RP = { rpId: 'idp.localhost', origin: 'http://idp.localhost:4000' };
const SHOP = { clientId: 'shop', redirectUri: 'http://shop.localhost:3001/auth/callback' };

let clock = Date.now();
const warnings: string[] = [];
const logger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (event) => void warnings.push(event),
  error: () => undefined,
  isEnabled: () => false,
};
let idp: TestIdp;
beforeAll(async () => {
  const now = () => clock;
  idp = await startTestIdp({}, createMemoryStore({ now }), {
    now,
    logger,
    database: await freshTestDatabase(),
  });
});
afterAll(() => idp.close());

// Once a user has a passkey, their password login asks for it: each part of this file signs
// in users of its own.
const DAVE = { username: 'dave', password: 'dave-passkey-password-1' };
const ERIN = { username: 'erin', password: 'erin-passkey-password-1' };
beforeAll(async () => {
  for (const [id, user] of [
    ['user-dave', DAVE],
    ['user-erin', ERIN],
  ] as const) {
    await idp.users.save({
      id,
      username: user.username,
      email: `${user.username}@example.com`,
      passwordHash: await hashPassword(user.password),
      roles: [],
    });
  }
});

async function signedIn(credentials = ALICE): Promise<Browser> {
  const browser = createBrowser();
  await signInAtAccount(browser, idp.url, credentials);
  return browser;
}

/** A browser at the login form of a shop authorization (no session). */
async function shopLoginForm(browser = createBrowser()) {
  const { url } = authorizeUrl(idp.url, { ...SHOP, pkce: pkcePair() });
  const start = await browser.fetch(url);
  expect(start.status).toBe(303);
  const location = start.headers.get('location')!;
  return { browser, location, form: await loginFormWithPasskey(browser, idp.url, location) };
}

async function sessionOf(browser: Browser) {
  const cookie =
    browser.cookie(idp.url, 'latchkey_session') ??
    browser.cookie(idp.url, '__Host-latchkey_session');
  return cookie === undefined ? null : idp.sessions.find(sidInCookie(cookie), clock);
}

async function userId(username: string): Promise<string> {
  return (await idp.users.findByUsername(username))!.id;
}

describe('passkeys: enrolment on the account page', () => {
  it('lists no passkey, then enrols one (discoverable, UV preferred, opaque user id)', async () => {
    const browser = await signedIn();
    const page = await (await browser.fetch(`${idp.url}/account/passkeys`)).text();
    expect(page).toContain('data-action="add-passkey"');
    const { options } = ceremonyOf(page, 'register');
    const user = (options as unknown as { user: { id: string; name: string } }).user;
    expect(user.name).toBe('alice');
    expect(Buffer.from(user.id, 'base64url')).toHaveLength(32);
    expect(Buffer.from(user.id, 'base64url').toString()).not.toContain('alice');
    expect(options).toMatchObject({
      authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
      excludeCredentials: [],
    });

    const authenticator = softwareAuthenticator(RP);
    const credential = await enrolPasskey(browser, idp.url, authenticator, 'Work laptop');
    const after = await (
      await browser.fetch(`${idp.url}/account/passkeys?done=passkey-added`)
    ).text();
    expect(after).toContain('Work laptop');
    expect(after).toContain('Your passkey was added.');
    // The next enrolment excludes it: the same authenticator is not registered twice.
    expect(ceremonyOf(after, 'register').options.excludeCredentials).toEqual([
      { id: credential.id, type: 'public-key', transports: ['internal'] },
    ]);
    // CSP: the script is the IdP's own file, no inline script.
    const csp = (await browser.fetch(`${idp.url}/account/passkeys`)).headers.get(
      'content-security-policy',
    );
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
  });

  it('renames and removes a passkey', async () => {
    const browser = await signedIn(BOB);
    const credential = await enrolPasskey(browser, idp.url, softwareAuthenticator(RP), 'Old');
    const html = await (await browser.fetch(`${idp.url}/account/passkeys`)).text();
    const csrf = /name="csrf" value="([^"]*)"/.exec(html)![1]!;
    const renamed = await browser.post(`${idp.url}/account/passkeys/rename`, {
      csrf,
      credential_id: credential.id,
      name: 'New name',
    });
    expect(renamed.status).toBe(303);
    expect(await (await browser.fetch(`${idp.url}/account/passkeys`)).text()).toContain('New name');
    const removed = await browser.post(`${idp.url}/account/passkeys/remove`, {
      csrf,
      credential_id: credential.id,
    });
    expect(removed.headers.get('location')).toBe('/account/passkeys?done=passkey-removed');
    expect(
      await idp.database.query('SELECT 1 FROM passkeys WHERE credential_id = $1', [credential.id]),
    ).toEqual([]);
  });

  it('enrolling without a recent login: sent to confirm it is you, nothing stored', async () => {
    const browser = await signedIn(BOB);
    const html = await (await browser.fetch(`${idp.url}/account/passkeys`)).text();
    const { options, handle } = ceremonyOf(html, 'register');
    clock += RECENT_LOGIN_MS + 1;
    try {
      const user = (options as unknown as { user: { id: string } }).user;
      const { response } = softwareAuthenticator(RP).register(options.challenge, user.id);
      const refused = await browser.post(`${idp.url}/account/passkeys`, {
        csrf: /name="csrf" value="([^"]*)"/.exec(html)![1]!,
        challenge: handle,
        credential: JSON.stringify(response),
        name: 'Late',
      });
      expect(refused.status).toBe(303);
      expect(refused.headers.get('location')).toMatch(/^\/login\?authz=/);
      expect(await idp.database.query('SELECT 1 FROM passkeys WHERE name = $1', ['Late'])).toEqual(
        [],
      );
      // The page itself offers the re-authentication instead of a ceremony.
      const stale = await (await browser.fetch(`${idp.url}/account/passkeys`)).text();
      expect(stale).toContain('href="/account/passkeys?add=1" data-action="add-passkey"');
      expect(stale).not.toContain('data-passkey="register"');
    } finally {
      clock -= RECENT_LOGIN_MS + 1;
    }
  });
});

describe('passkeys: passwordless, usernameless sign-in', () => {
  let authenticator: ReturnType<typeof softwareAuthenticator>;
  let credential: SoftCredential;
  beforeAll(async () => {
    authenticator = softwareAuthenticator({ ...RP, initialCounter: 10 });
    credential = await enrolPasskey(await signedIn(DAVE), idp.url, authenticator, 'Phone');
  });

  it('signs dave in from the login form without his username; amr hwk, user, mfa', async () => {
    const { browser, form } = await shopLoginForm();
    expect(form.html).toContain('data-action="passkey-login"');
    expect(form.html).toContain('autocomplete="username webauthn"');
    expect(form.options.allowCredentials).toEqual([]);
    const done = await postPasskeyLogin(
      browser,
      idp.url,
      form,
      authenticator.assert(credential, form.options.challenge),
    );
    expect(done.status).toBe(303);
    const callback = new URL(done.headers.get('location')!);
    expect(callback.origin + callback.pathname).toBe(SHOP.redirectUri);
    expect(callback.searchParams.get('code')).toBeTruthy();
    const session = await sessionOf(browser);
    expect(session?.sub).toBe(await userId('dave'));
    expect(session?.amr).toEqual(['hwk', 'user', 'mfa']);
    const [row] = await idp.database.query<{ counter: string; last_used_at: Date | null }>(
      'SELECT counter, last_used_at FROM passkeys WHERE credential_id = $1',
      [credential.id],
    );
    expect(Number(row!.counter)).toBe(10);
    expect(row!.last_used_at).not.toBeNull();
  });

  describe('bad input', () => {
    it('another challenge: refused with the login form again (400), no session', async () => {
      const { browser, form } = await shopLoginForm();
      const other = await shopLoginForm();
      const response = authenticator.assert(credential, other.form.options.challenge);
      const refused = await postPasskeyLogin(browser, idp.url, form, response);
      expect(refused.status).toBe(400);
      expect(await refused.text()).toContain('That passkey could not sign you in');
      expect(await sessionOf(browser)).toBeNull();
    });

    it('a reused challenge: refused once used, even by a good response', async () => {
      const { browser, form } = await shopLoginForm();
      const bad = authenticator.assert(credential, form.options.challenge, {
        origin: 'http://evil.localhost:4000',
      });
      expect((await postPasskeyLogin(browser, idp.url, form, bad)).status).toBe(400);
      const good = authenticator.assert(credential, form.options.challenge);
      const again = await postPasskeyLogin(
        browser,
        idp.url,
        { ...form, csrf: await freshCsrf(browser, form.authz) },
        good,
      );
      expect(again.status).toBe(400);
      expect(await sessionOf(browser)).toBeNull();
    });

    it('a wrong origin: refused', async () => {
      const { browser, form } = await shopLoginForm();
      const response = authenticator.assert(credential, form.options.challenge, {
        origin: 'http://idp.localhost.evil.localhost:4000',
      });
      expect((await postPasskeyLogin(browser, idp.url, form, response)).status).toBe(400);
    });

    it('a wrong RP ID: refused', async () => {
      const { browser, form } = await shopLoginForm();
      const response = authenticator.assert(credential, form.options.challenge, {
        rpId: 'evil.localhost',
      });
      expect((await postPasskeyLogin(browser, idp.url, form, response)).status).toBe(400);
    });

    it('a credential of another user: dave’s key with bob’s user handle is refused', async () => {
      const bobHandle = await bobsHandle();
      const { browser, form } = await shopLoginForm();
      const response = authenticator.assert(
        { ...credential, userHandle: bobHandle },
        form.options.challenge,
      );
      expect((await postPasskeyLogin(browser, idp.url, form, response)).status).toBe(400);
      expect(await sessionOf(browser)).toBeNull();
    });

    it('an unknown credential: refused', async () => {
      const stranger = softwareAuthenticator(RP);
      const { credential: unknown } = stranger.register('AAAA', credential.userHandle);
      const { browser, form } = await shopLoginForm();
      const response = stranger.assert(unknown, form.options.challenge);
      expect((await postPasskeyLogin(browser, idp.url, form, response)).status).toBe(400);
    });

    it('a counter that went backwards: refused and logged', async () => {
      const { browser, form } = await shopLoginForm();
      const response = authenticator.assert(credential, form.options.challenge, { counter: 3 });
      const before = warnings.length;
      expect((await postPasskeyLogin(browser, idp.url, form, response)).status).toBe(400);
      expect(warnings.slice(before)).toContain('passkey.counter_regressed');
      expect(await sessionOf(browser)).toBeNull();
    });

    it('an oversized clientDataJSON: refused, the body capped (413) or the field (400)', async () => {
      const { browser, form } = await shopLoginForm();
      const huge = authenticator.assert(credential, form.options.challenge, {
        clientDataJSON: Buffer.from(
          JSON.stringify({
            type: 'webauthn.get',
            challenge: form.options.challenge,
            origin: RP.origin,
            pad: 'x'.repeat(MAX_RESPONSE_CHARS),
          }),
        ),
      });
      const tooLarge = await postPasskeyLogin(browser, idp.url, form, huge);
      expect(tooLarge.status).toBe(413);
      expect(tooLarge.headers.get('content-type')).toContain('text/html');

      const second = await shopLoginForm(browser);
      const large = authenticator.assert(credential, second.form.options.challenge, {
        clientDataJSON: Buffer.from(
          JSON.stringify({
            type: 'webauthn.get',
            challenge: second.form.options.challenge,
            origin: RP.origin,
            pad: 'x'.repeat(MAX_CLIENT_DATA_BYTES),
          }),
        ),
      });
      expect((await postPasskeyLogin(browser, idp.url, second.form, large)).status).toBe(400);
    });

    it.each(['', 'not json', '{}', '{"id":"a","rawId":"a","type":"public-key"}'])(
      'a response that is not one (%j): refused with the form, never a 500',
      async (raw) => {
        const { browser, form } = await shopLoginForm();
        expect((await postPasskeyLogin(browser, idp.url, form, raw)).status).toBe(400);
      },
    );

    it('without the form’s CSRF token: refused (403)', async () => {
      const { browser, form } = await shopLoginForm();
      const response = authenticator.assert(credential, form.options.challenge);
      const refused = await postPasskeyLogin(
        browser,
        idp.url,
        { ...form, csrf: 'x'.repeat(43) },
        response,
      );
      expect(refused.status).toBe(403);
    });
  });
});

async function bobsHandle(): Promise<string> {
  const [row] = await idp.database.query<{ handle: string }>(
    'SELECT handle FROM webauthn_user_handles WHERE user_id = $1',
    [await userId('bob')],
  );
  if (row) return row.handle;
  await idp.database.query('INSERT INTO webauthn_user_handles (user_id, handle) VALUES ($1, $2)', [
    await userId('bob'),
    'Ym9icy1oYW5kbGUtZm9yLXRlc3Rz',
  ]);
  return 'Ym9icy1oYW5kbGUtZm9yLXRlc3Rz';
}

/** The refused form shows a new CSRF token: read it from the form page again. */
async function freshCsrf(browser: Browser, authz: string): Promise<string> {
  const html = await (await browser.fetch(`${idp.url}/login?authz=${authz}`)).text();
  return /name="csrf" value="([^"]*)"/.exec(html)![1]!;
}

describe('passkeys: the second factor after the password', () => {
  let authenticator: ReturnType<typeof softwareAuthenticator>;
  let credential: SoftCredential;
  beforeAll(async () => {
    authenticator = softwareAuthenticator({ ...RP, backupEligible: true });
    credential = await enrolPasskey(await signedIn(BOB), idp.url, authenticator, 'Bob key');
  });

  async function secondStep() {
    const { browser, location } = await shopLoginForm();
    const afterPassword = await submitLogin(browser, idp.url, location, BOB);
    expect(afterPassword.status).toBe(303);
    const step = new URL(afterPassword.headers.get('location')!, idp.url);
    expect(step.pathname).toBe('/login/second-factor');
    const stepId = step.searchParams.get('step')!;
    const page = await browser.fetch(`${idp.url}/login/second-factor/passkey?step=${stepId}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('data-action="passkey-second-factor"');
    const { options, handle } = ceremonyOf(html, 'second-factor');
    const csrf = /name="csrf" value="([^"]*)"/.exec(html)![1]!;
    const post = (response: unknown) =>
      browser.post(`${idp.url}/login/second-factor/passkey`, {
        step: stepId,
        csrf,
        challenge: handle,
        credential: JSON.stringify(response),
      });
    return { browser, options, post };
  }

  it('bob, with a password and a passkey, is asked for the passkey after the password', async () => {
    const { browser, options, post } = await secondStep();
    expect(options.allowCredentials).toEqual([
      { id: credential.id, type: 'public-key', transports: ['internal'] },
    ]);
    const done = await post(authenticator.assert(credential, options.challenge));
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toMatch(
      /^http:\/\/shop\.localhost:3001\/auth\/callback\?code=/,
    );
    const session = await sessionOf(browser);
    expect(session?.amr).toEqual(['pwd', 'swk', 'user', 'mfa']);
  });

  it('a credential of another user as bob’s second factor: refused', async () => {
    const erins = softwareAuthenticator(RP);
    const erinKey = await enrolPasskey(await signedIn(ERIN), idp.url, erins, 'Erin key');
    const { browser, options, post } = await secondStep();
    const refused = await post(erins.assert(erinKey, options.challenge));
    expect(refused.status).toBe(400);
    expect(await sessionOf(browser)).toBeNull();
  });

  it('a passwordless challenge used for the second step: refused', async () => {
    const { form } = await shopLoginForm();
    const { browser, post } = await secondStep();
    const refused = await post(authenticator.assert(credential, form.options.challenge));
    expect(refused.status).toBe(400);
    expect(await sessionOf(browser)).toBeNull();
  });
});

/** What the software authenticator's assertions hold, as far as these tests change it. */
type Assertion = Record<string, unknown> & {
  response: Record<string, string> & { signature: string };
};

/** The newest audit event of `type`, and its whole row as text (to look for what must not be). */
async function latestAudit(type: string) {
  const [event] = await idp.audit.list({ type }, 1);
  expect(event).toBeDefined();
  return { event: event!, text: JSON.stringify(event) };
}

describe('passkeys: refused assertions in the audit trail', () => {
  let authenticator: ReturnType<typeof softwareAuthenticator>;
  let credential: SoftCredential;
  const FRANK = { username: 'frank', password: 'frank-passkey-password-1' };
  beforeAll(async () => {
    await idp.users.save({
      id: 'user-frank',
      username: FRANK.username,
      email: 'frank@example.com',
      passwordHash: await hashPassword(FRANK.password),
      roles: [],
    });
    authenticator = softwareAuthenticator({ ...RP, initialCounter: 50 });
    credential = await enrolPasskey(await signedIn(FRANK), idp.url, authenticator, 'Frank key');
  });

  /** A passwordless attempt with `bend` applied to a good assertion; the refusal's event. */
  async function refusedLogin(
    bend: (challenge: string) => ReturnType<typeof authenticator.assert>,
    before?: () => void,
  ) {
    const { browser, form } = await shopLoginForm();
    before?.();
    const response = bend(form.options.challenge);
    expect((await postPasskeyLogin(browser, idp.url, form, response)).status).toBe(400);
    const found = await latestAudit('login.failed');
    // Neither the credential, nor the challenge, nor the signature: facts, not the ceremony.
    expect(found.text).not.toContain(credential.id);
    expect(found.text).not.toContain(form.options.challenge);
    expect(found.text).not.toContain((response as Assertion).response.signature);
    return found.event;
  }

  it('a bad signature: login.failed, method passkey, reason invalid, the owner named', async () => {
    const event = await refusedLogin((challenge) => {
      const good = authenticator.assert(credential, challenge) as Assertion;
      const signature = Buffer.from(good.response.signature, 'base64url');
      signature[signature.length - 1]! ^= 0xff;
      return {
        ...good,
        response: { ...good.response, signature: signature.toString('base64url') },
      };
    });
    expect(event).toMatchObject({
      subject: 'user-frank',
      client: 'shop',
      detail: { method: 'passkey', reason: 'invalid' },
    });
  });

  it('an unknown credential: login.failed, reason unknown_credential, nobody named', async () => {
    const stranger = softwareAuthenticator(RP);
    const { credential: unknown } = stranger.register('AAAA', credential.userHandle);
    const event = await refusedLogin((challenge) => stranger.assert(unknown, challenge));
    expect(event.subject).toBeNull();
    expect(event.detail).toEqual({ method: 'passkey', reason: 'unknown_credential' });
  });

  it('a counter that went backwards: login.failed, reason counter', async () => {
    // One good sign-in first, so that the stored counter is the authenticator's (50).
    const { browser, form } = await shopLoginForm();
    const good = authenticator.assert(credential, form.options.challenge);
    expect((await postPasskeyLogin(browser, idp.url, form, good)).status).toBe(303);
    const event = await refusedLogin((challenge) =>
      authenticator.assert(credential, challenge, { counter: 1 }),
    );
    expect(event).toMatchObject({
      subject: 'user-frank',
      detail: { method: 'passkey', reason: 'counter' },
    });
  });

  it('an expired challenge: login.failed, reason challenge', async () => {
    const event = await refusedLogin(
      (challenge) => authenticator.assert(credential, challenge),
      () => {
        clock += CEREMONY_TIMEOUT_MS + 1_000;
      },
    );
    expect(event.detail).toEqual({ method: 'passkey', reason: 'challenge' });
  });

  it('a refused second factor: second_factor.failed, factor passkey, the step’s user', async () => {
    const { form } = await shopLoginForm();
    const browser = createBrowser();
    const { location } = await shopLoginForm(browser);
    const afterPassword = await submitLogin(browser, idp.url, location, BOB);
    const step = new URL(afterPassword.headers.get('location')!, idp.url);
    const stepId = step.searchParams.get('step')!;
    const html = await (
      await browser.fetch(`${idp.url}/login/second-factor/passkey?step=${stepId}`)
    ).text();
    const { handle } = ceremonyOf(html, 'second-factor');
    const refused = await browser.post(`${idp.url}/login/second-factor/passkey`, {
      step: stepId,
      csrf: /name="csrf" value="([^"]*)"/.exec(html)![1]!,
      challenge: handle,
      // Frank's key, for a challenge made for another ceremony: refused either way.
      credential: JSON.stringify(authenticator.assert(credential, form.options.challenge)),
    });
    expect(refused.status).toBe(400);
    const { event, text } = await latestAudit('second_factor.failed');
    expect(event).toMatchObject({
      subject: await userId('bob'),
      actor: { kind: 'user', id: await userId('bob') },
      detail: { factor: 'passkey', result: 'challenge' },
    });
    expect(text).not.toContain(handle);
    expect(text).not.toContain(credential.id);
  });
});
