import { BACKCHANNEL_LOGOUT_EVENT } from '@latchkey/protocol';
import { createVerifier } from '@latchkey/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../logger.js';
import { createSessionServices } from '../sessions/session-services.js';
import {
  accountHtml,
  field,
  sessionHandles,
  signInAtAccount,
} from '../test-support/account-pages.js';
import { createBrowser, signIn, type Browser } from '../test-support/browser.js';
import {
  claimsOf,
  ISSUER,
  redeem,
  refresh,
  SHOP,
  WIKI,
  type IssuedCode,
} from '../test-support/grants.js';
import {
  backChannelClientsFile,
  startLogoutReceiver,
  type LogoutReceiver,
} from '../test-support/logout-receiver.js';
import { createMemoryStore } from '../store/memory-store.js';
import { freshTestDatabase } from '../test-support/test-database.js';
import { startTestIdp, type TestIdp } from '../test-support/test-idp.js';
import { commandLogoutListener } from './command-listener.js';

/**
 * Every way a session ends reaches the clients that took part in it, as a logout token at
 * their backchannel_logout_uri: the in-process IdP (memory store on the test's clock, its own
 * PGlite) with the demo shop and wiki registered at a loopback receiver. Sign-ins go through
 * the real /authorize and login form, so the participation is recorded where codes are issued.
 */
const PASSWORD = 'a perfectly fine passphrase';
const SAME_ORIGIN = { Origin: 'http://idp.localhost:4000', 'Sec-Fetch-Site': 'same-origin' };

let clock = Date.now();
let receiver: LogoutReceiver;
let clients: { file: string; remove: () => Promise<void> };
let idp: TestIdp;

beforeAll(async () => {
  receiver = await startLogoutReceiver();
  clients = await backChannelClientsFile(receiver.url);
  const now = () => clock;
  idp = await startTestIdp(
    { CLIENTS_FILE: clients.file, SESSION_IDLE_TTL: '2m', SESSION_MAX_TTL: '3m' },
    createMemoryStore({ now }),
    { now, database: await freshTestDatabase() },
  );
}, 60_000);
afterAll(async () => {
  await idp?.close();
  await receiver?.close();
  await clients?.remove();
});

let serial = 0;
async function newUser() {
  const user = await idp.accounts.add({
    username: `leaver${++serial}`,
    email: `leaver${serial}@example.test`,
    roles: ['user'],
    password: PASSWORD,
  });
  return { id: user.id, username: user.username, password: PASSWORD };
}

/** Signs `browser` in to a client through /authorize (and the form when asked); its tokens. */
async function signInTo(
  browser: Browser,
  client: typeof SHOP | typeof WIKI,
  credentials: { username: string; password: string },
) {
  const result = await signIn(browser, idp.url, {
    clientId: client.id,
    redirectUri: client.redirectUri,
    scope: 'openid profile offline_access',
    ...credentials,
  });
  const answer = await redeem(idp, result as unknown as IssuedCode, client);
  expect(answer.status, answer.text).toBe(200);
  return answer.json as Record<string, string>;
}

/** A user signed in to the shop and the wiki in one browser (one session). */
async function signedInToBoth() {
  const user = await newUser();
  const browser = createBrowser();
  const shop = await signInTo(browser, SHOP, user);
  const wiki = await signInTo(browser, WIKI, user);
  const sid = claimsOf(shop.id_token!).sid as string;
  return { user, browser, shop, wiki, sid };
}

/** Runs the worker until nothing is due, and returns the tokens received for `sub`. */
async function deliveredFor(sub: string) {
  while ((await idp.deliveries.worker.runOnce()) > 0);
  return receiver.received
    .filter(({ token }) => token !== null && claimsOf(token).sub === sub)
    .map(({ path, token }) => ({ path, claims: claimsOf(token!), token: token! }));
}

const verifierFor = (clientId: string) =>
  createVerifier({
    issuer: ISSUER,
    audience: 'http://wiki.localhost:3002/api',
    jwksUri: `${idp.url}/jwks`,
    clientId,
    now: () => clock,
  });

describe('back-channel logout: every way a session ends', () => {
  it('RP-initiated logout: each client of the session gets a token with sid and sub', async () => {
    const { user, browser, shop, sid } = await signedInToBoth();
    const answer = await browser.fetch(
      `${idp.url}/logout?${new URLSearchParams({ id_token_hint: shop.id_token! }).toString()}`,
    );
    expect(answer.status).toBe(200);
    const got = await deliveredFor(user.id);
    expect(got.map(({ path }) => path).sort()).toEqual(['/shop', '/wiki']);
    for (const { claims } of got) {
      expect(claims).toMatchObject({ sub: user.id, sid, iss: ISSUER });
      expect(claims.events).toEqual({ [BACKCHANNEL_LOGOUT_EVENT]: {} });
      expect(claims).not.toHaveProperty('nonce');
    }
    const shopToken = got.find(({ path }) => path === '/shop')!.token;
    await expect(verifierFor('shop').verifyLogoutToken(shopToken)).resolves.toMatchObject({
      aud: 'shop',
      sid,
    });
  });

  it('the account page, "sign out" of another device: that session\'s clients are told', async () => {
    const { user, sid } = await signedInToBoth();
    const laptop = createBrowser();
    await signInAtAccount(laptop, idp.url, user);
    const html = await accountHtml(laptop, idp.url);
    const [other] = sessionHandles(html).others;
    const answer = await laptop.fetch(`${idp.url}/account/sessions/sign-out`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...SAME_ORIGIN },
      body: new URLSearchParams({ csrf: field(html, 'csrf'), session: other! }),
    });
    expect(answer.status).toBe(303);
    const got = await deliveredFor(user.id);
    expect(got.map(({ claims }) => claims.sid)).toEqual([sid, sid]);
  });

  it('a password change on the account page: the other sessions are told, not this one', async () => {
    const { user, sid } = await signedInToBoth();
    const laptop = createBrowser();
    await signInTo(laptop, SHOP, user);
    const html = await accountHtml(laptop, idp.url, '/account/password');
    const answer = await laptop.fetch(`${idp.url}/account/password`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...SAME_ORIGIN },
      body: new URLSearchParams({
        csrf: field(html, 'csrf'),
        current_password: PASSWORD,
        new_password: 'an entirely new passphrase',
        confirm_password: 'an entirely new passphrase',
      }),
    });
    expect(answer.status, await answer.text()).toBe(303);
    const got = await deliveredFor(user.id);
    expect(got.map(({ claims }) => claims.sid)).toEqual([sid, sid]);
  });

  it('disabling the user: one token per client with sub and no sid (the wiki, which requires sid, one per session)', async () => {
    const { user, sid } = await signedInToBoth();
    const second = createBrowser();
    await signInTo(second, SHOP, user);
    const wikiSecond = await signInTo(second, WIKI, user);
    const otherSid = claimsOf(wikiSecond.id_token!).sid as string;
    await idp.accounts.disable(user.id);
    const got = await deliveredFor(user.id);
    const shopTokens = got.filter(({ path }) => path === '/shop');
    expect(shopTokens).toHaveLength(1);
    expect(shopTokens[0]!.claims).not.toHaveProperty('sid');
    expect(shopTokens[0]!.claims.sub).toBe(user.id);
    const wikiSids = got.filter(({ path }) => path === '/wiki').map(({ claims }) => claims.sid);
    expect(wikiSids.sort()).toEqual([sid, otherSid].sort());
    await expect(
      verifierFor('shop').verifyLogoutToken(shopTokens[0]!.token),
    ).resolves.toMatchObject({ sub: user.id });
  });

  it('deleting the user: its clients are told', async () => {
    const { user } = await signedInToBoth();
    await idp.accounts.remove(user.id);
    const got = await deliveredFor(user.id);
    expect(got.map(({ path }) => path).sort()).toEqual(['/shop', '/wiki']);
  });

  it('a password reset (set by the lifecycle, as the reset page and the CLI do): every session told', async () => {
    const { user } = await signedInToBoth();
    await idp.accounts.setPassword(user.id, 'a brand new passphrase here');
    const got = await deliveredFor(user.id);
    expect(got.map(({ path }) => path).sort()).toEqual(['/shop', '/wiki']);
  });

  it('refresh-token reuse: the session ends and its clients are told', async () => {
    const { user, shop, sid } = await signedInToBoth();
    const first = await refresh(idp, shop.refresh_token!, SHOP);
    expect(first.status).toBe(200);
    const reused = await refresh(idp, shop.refresh_token!, SHOP);
    expect(reused.status).toBe(400);
    const got = await deliveredFor(user.id);
    expect(got.map(({ claims }) => claims.sid)).toEqual([sid, sid]);
  });

  it('the operator (sessions revoke-user): enqueued in the database by the command, sent by the IdP', async () => {
    const { user } = await signedInToBoth();
    // The CLI's own construction: its revoker on the same store, its listener on the database.
    const listener = await commandLogoutListener(
      idp.config,
      idp.database,
      silentLogger,
      () => clock,
    );
    const { revoker } = createSessionServices(idp.config, {
      store: idp.store,
      logger: silentLogger,
      now: () => clock,
      listeners: [listener],
    });
    await revoker.revokeUser(user.id, 'admin');
    const got = await deliveredFor(user.id);
    expect(got.map(({ path }) => path).sort()).toEqual(['/shop', '/wiki']);
  });

  it('idle expiry: the sweeper tells the clients once', async () => {
    const { user, sid } = await signedInToBoth();
    clock += 60_000;
    expect(await idp.deliveries.sweeper.sweep()).toBe(0);
    clock += 61_000; // past the 2-minute idle limit
    expect(await idp.deliveries.sweeper.sweep()).toBeGreaterThanOrEqual(1);
    const got = await deliveredFor(user.id);
    expect(got.map(({ claims }) => claims.sid)).toEqual([sid, sid]);
    expect(await idp.deliveries.sweeper.sweep()).toBe(0);
    expect(await deliveredFor(user.id)).toHaveLength(2);
  });

  it('absolute expiry: a session kept busy still ends at its limit, and is told then', async () => {
    const { user, browser, sid } = await signedInToBoth();
    // Activity moves the idle limit (touch at most once a minute), never the absolute one.
    for (let step = 0; step < 2; step++) {
      clock += 75_000;
      expect((await browser.fetch(`${idp.url}/account`)).status).toBe(200);
      await idp.deliveries.sweeper.sweep();
      expect(await deliveredFor(user.id)).toHaveLength(0);
    }
    clock += 31_000; // 181 s: past the 3-minute absolute limit, within the idle one
    await idp.deliveries.sweeper.sweep();
    const got = await deliveredFor(user.id);
    expect(got.map(({ claims }) => claims.sid)).toEqual([sid, sid]);
  });

  it('a session ended by the revoker is not told again by the sweeper', async () => {
    const { user, browser, shop } = await signedInToBoth();
    await browser.fetch(
      `${idp.url}/logout?${new URLSearchParams({ id_token_hint: shop.id_token! }).toString()}`,
    );
    clock += 10 * 60_000;
    await idp.deliveries.sweeper.sweep();
    expect(await deliveredFor(user.id)).toHaveLength(2);
  });
});
