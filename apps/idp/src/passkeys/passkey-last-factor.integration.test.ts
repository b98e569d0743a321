import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAtAccount } from '../test-support/account-pages.js';
import { createBrowser } from '../test-support/browser.js';
import { enrolPasskey } from '../test-support/passkey-pages.js';
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
