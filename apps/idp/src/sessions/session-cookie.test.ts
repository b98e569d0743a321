import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { authorizeUrl, createBrowser, signIn } from '../test-support/browser.js';
import { sessionCookieFor, startTestIdp, type TestIdp } from '../test-support/test-idp.js';
import { sessionCookieKey, sessionCookieValue } from './session-cookie.js';

const SHOP = { clientId: 'shop', redirectUri: 'http://shop.localhost:3001/auth/callback' };
const ALICE = { username: 'alice', password: 'wonderland-alice' };

let idp: TestIdp;
beforeAll(async () => {
  idp = await startTestIdp();
});
afterAll(() => idp.close());

/** Where GET /authorize for the shop sends a browser holding `cookie` as its session. */
async function authorizeWith(cookie: string | undefined): Promise<string> {
  const browser = createBrowser();
  if (cookie !== undefined) browser.setCookie(idp.url, 'latchkey_session', cookie);
  const response = await browser.fetch(authorizeUrl(idp.url, SHOP).url);
  return new URL(response.headers.get('location')!, idp.url).pathname;
}

describe('the session cookie is bound to the IdP, not just the sid', () => {
  it('the cookie the login sets signs the browser in elsewhere (single sign-on)', async () => {
    const browser = createBrowser();
    await signIn(browser, idp.url, { ...SHOP, ...ALICE });
    const cookie = browser.cookie(idp.url, 'latchkey_session')!;
    expect(await authorizeWith(cookie)).toBe('/auth/callback');
  });

  it('a bare sid, as every token carries it, is no session: a relying party cannot sign in', async () => {
    const browser = createBrowser();
    await signIn(browser, idp.url, { ...SHOP, ...ALICE });
    const cookie = browser.cookie(idp.url, 'latchkey_session')!;
    const sid = cookie.slice(0, cookie.lastIndexOf('.'));
    expect(await idp.sessions.find(sid, Date.now())).not.toBeNull();
    expect(await authorizeWith(sid)).toBe('/login');
  });

  it('a MAC made with another key, a truncated or an altered one is no session', async () => {
    const alice = (await idp.users.findByUsername('alice'))!;
    const session = await idp.sessions.create({ sub: alice.id, username: 'alice' }, Date.now());
    const otherKey = sessionCookieKey(randomBytes(32));
    const good = sessionCookieFor(idp, session.sid);
    expect(await authorizeWith(good)).toBe('/auth/callback');
    expect(await authorizeWith(sessionCookieValue(otherKey, session.sid))).toBe('/login');
    expect(await authorizeWith(good.slice(0, -4))).toBe('/login');
    // The MAC's first character: the last one carries padding bits, and changing only those
    // decodes to the same bytes.
    const [sid, mac] = good.split('.') as [string, string];
    const altered = `${sid}.${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`;
    expect(await authorizeWith(altered)).toBe('/login');
    expect(await authorizeWith(`.${good.split('.')[1]}`)).toBe('/login');
  });
});
