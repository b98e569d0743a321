import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeUrl, createBrowser, loginFormFields, signIn } from '../test-support/browser.js';
import { startTestIdp, type TestIdp } from '../test-support/test-idp.js';

/** Logins in the audit trail: who, from where, how, and why one failed; never the password. */

const SHOP = { clientId: 'shop', redirectUri: 'http://shop.localhost:3001/auth/callback' };

let idp: TestIdp;
beforeAll(async () => {
  idp = await startTestIdp();
});
afterAll(() => idp.close());

/** POST /login with these credentials on a fresh form; the answer's status. */
async function attempt(username: string, password: string): Promise<number> {
  const browser = createBrowser();
  const start = await browser.fetch(authorizeUrl(idp.url, SHOP).url);
  const page = await browser.fetch(new URL(start.headers.get('location')!, idp.url));
  const fields = loginFormFields(await page.text());
  const answer = await browser.post(new URL('/login', idp.url), { ...fields, username, password });
  return answer.status;
}

describe('logins in the audit trail', () => {
  it('a login: session.created and login.succeeded, with the client, the sid and the amr', async () => {
    const alice = (await idp.users.findByUsername('alice'))!;
    const browser = createBrowser();
    await signIn(browser, idp.url, { ...SHOP, username: 'alice', password: 'wonderland-alice' });
    const [succeeded, created] = await idp.audit.list({ subject: alice.id }, 2);
    expect(created).toMatchObject({ type: 'session.created', client: 'shop' });
    expect(succeeded).toMatchObject({
      type: 'login.succeeded',
      actor: { kind: 'user', id: alice.id },
      client: 'shop',
      session: created!.session,
      address: '127.0.0.1',
      detail: { amr: 'pwd' },
    });
  });

  it('failures with their reason; an unknown name is recorded without the text typed', async () => {
    const bob = (await idp.users.findByUsername('bob'))!;
    expect(await attempt('bob', 'not-bobs-password')).toBe(401);
    expect(await attempt('hunter2-typed-as-name', 'x')).toBe(401);
    const [wrong] = await idp.audit.list({ subject: bob.id, type: 'login.failed' }, 1);
    expect(wrong).toMatchObject({ client: 'shop', detail: { reason: 'wrong_password' } });
    const failures = await idp.audit.list({ type: 'login.failed' }, 10);
    expect(failures.some((event) => event.detail.reason === 'unknown_user')).toBe(true);
    const dump = JSON.stringify(await idp.database.query('SELECT * FROM audit_events'));
    expect(dump).not.toContain('hunter2-typed-as-name');
    expect(dump).not.toContain('not-bobs-password');
  });
});
