import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAtAccount } from '../test-support/account-pages.js';
import { createBrowser } from '../test-support/browser.js';
import { authorizeUrl, pkcePair } from '../test-support/browser.js';
import {
  enrolPasskey,
  loginFormWithPasskey,
  postPasskeyLogin,
} from '../test-support/passkey-pages.js';
import { softwareAuthenticator } from '../test-support/software-authenticator.js';
import { freshTestDatabase } from '../test-support/test-database.js';
import { startTestIdp, type TestIdp } from '../test-support/test-idp.js';
import { hashPassword } from '../users/password-hash.js';

const RP = { rpId: 'idp.localhost', origin: 'http://idp.localhost:4000' };
const FRANK = { username: 'frank', password: 'frank-operator-password-1' };

let idp: TestIdp;
beforeAll(async () => {
  idp = await startTestIdp({ MFA_REQUIRED_ROLES: 'operator' }, undefined, {
    database: await freshTestDatabase(),
  });
  await idp.users.save({
    id: 'user-frank',
    username: FRANK.username,
    passwordHash: await hashPassword(FRANK.password),
    roles: ['operator'],
  });
});
afterAll(() => idp.close());

describe('removing the last factor of a user whose role requires MFA', () => {
  it('is refused (409, a clear message) while it is the last one; allowed once another exists', async () => {
    const browser = createBrowser();
    await signInAtAccount(browser, idp.url, FRANK);
    const first = await enrolPasskey(browser, idp.url, softwareAuthenticator(RP), 'First');
    const html = await (await browser.fetch(`${idp.url}/account/passkeys`)).text();
    const csrf = /name="csrf" value="([^"]*)"/.exec(html)![1]!;
    const remove = (id: string) =>
      browser.post(`${idp.url}/account/passkeys/remove`, { csrf, credential_id: id });

    const refused = await remove(first.id);
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('This is your last second factor');
    expect(
      await idp.database.query('SELECT 1 FROM passkeys WHERE user_id = $1', ['user-frank']),
    ).toHaveLength(1);

    const second = await enrolPasskey(browser, idp.url, softwareAuthenticator(RP), 'Second');
    expect((await remove(first.id)).status).toBe(303);
    expect((await remove(second.id)).status).toBe(409);
  });
});

describe('a passwordless sign-in for a user whose role requires MFA', () => {
  async function signInWith(userVerified: boolean) {
    // An operator of their own: one with a passkey already is asked for it after the password.
    const person = { username: `gina-${userVerified}`, password: 'gina-operator-password-1' };
    await idp.users.save({
      id: `user-gina-${userVerified}`,
      username: person.username,
      passwordHash: await hashPassword(person.password),
      roles: ['operator'],
    });
    const owner = createBrowser();
    await signInAtAccount(owner, idp.url, person);
    const authenticator = softwareAuthenticator({ ...RP, userVerified });
    const credential = await enrolPasskey(owner, idp.url, authenticator, `UV ${userVerified}`);
    const browser = createBrowser();
    const { url } = authorizeUrl(idp.url, {
      clientId: 'shop',
      redirectUri: 'http://shop.localhost:3001/auth/callback',
      pkce: pkcePair(),
    });
    const location = (await browser.fetch(url)).headers.get('location')!;
    const form = await loginFormWithPasskey(browser, idp.url, location);
    return postPasskeyLogin(
      browser,
      idp.url,
      form,
      authenticator.assert(credential, form.options.challenge),
    );
  }

  it('a passkey with user verification is two factors: the code is issued', async () => {
    const done = await signInWith(true);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toMatch(
      /^http:\/\/shop\.localhost:3001\/auth\/callback\?code=/,
    );
  });

  it('a passkey without user verification is one factor: no code, the user is told (never a weaker acr)', async () => {
    const refused = await signInWith(false);
    expect(refused.status).not.toBe(303);
    expect(refused.headers.get('location')).toBeNull();
    expect(refused.status).toBeLessThan(500);
  });
});

describe('users reset-mfa (AccountLifecycle.resetSecondFactors)', () => {
  it('removes every passkey of the user, and only theirs', async () => {
    const countOf = async (userId: string) =>
      (await idp.database.query('SELECT 1 FROM passkeys WHERE user_id = $1', [userId])).length;
    expect(await countOf('user-frank')).toBeGreaterThan(0);
    const others = await countOf('user-gina-true');
    await idp.accounts.resetSecondFactors('user-frank');
    expect(await countOf('user-frank')).toBe(0);
    expect(await countOf('user-gina-true')).toBe(others);
  });
});
