import { storeKeys } from '@latchkey/protocol';
import { startTestRedis, waitFor, type TestRedis } from '@latchkey/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../store/redis-store.js';
import type { Store } from '../store/store.js';
import { redeemAuthorizationCode } from '../tokens/authorization-code.js';
import { authorizeUrl, createBrowser, loginFormFields, signIn } from '../test-support/browser.js';
import { startTestIdp, type TestIdp } from '../test-support/test-idp.js';

// The browser half of single sign-on with the IdP's state in a real Redis (a private
// redis-server on a free port), as it runs in production.
const SHOP = { clientId: 'shop', redirectUri: 'http://shop.localhost:3001/auth/callback' };
const WIKI = { clientId: 'wiki', redirectUri: 'http://wiki.localhost:3002/auth/callback' };
const ALICE = { username: 'alice', password: 'wonderland-alice' };

let redis: TestRedis;
let idp: TestIdp;
let inspector: Store;
beforeAll(async () => {
  redis = await startTestRedis();
  idp = await startTestIdp({}, createRedisStore(redis.url, { commandTimeoutMs: 300 }));
  inspector = createRedisStore(redis.url);
}, 30_000);
afterAll(async () => {
  await idp?.close();
  await inspector?.close();
  await redis?.kill();
});

describe('single sign-on over Redis', () => {
  it('login at the shop, then the wiki gets a code with no password; both codes carry the same sid', async () => {
    const browser = createBrowser();
    const shop = await signIn(browser, idp.url, {
      ...SHOP,
      ...ALICE,
      scope: 'openid profile offline_access',
    });
    expect(shop.loginFormShown).toBe(true);
    const wiki = await signIn(browser, idp.url, {
      ...WIKI,
      scope: 'openid wiki:read',
      nonce: 'wiki-nonce',
    });
    expect(wiki.loginFormShown).toBe(false);

    const shopGrant = await redeemAuthorizationCode(inspector, shop.code);
    const wikiGrant = await redeemAuthorizationCode(inspector, wiki.code);
    expect(shopGrant.status).toBe('redeemed');
    expect(wikiGrant.status).toBe('redeemed');
    if (shopGrant.status !== 'redeemed' || wikiGrant.status !== 'redeemed') return;
    expect(shopGrant.grant).toMatchObject({
      clientId: 'shop',
      redirectUri: SHOP.redirectUri,
      scope: ['openid', 'profile', 'offline_access'],
      resources: ['http://shop.localhost:3001/api', 'http://wiki.localhost:3002/api'],
    });
    expect(wikiGrant.grant).toMatchObject({
      clientId: 'wiki',
      nonce: 'wiki-nonce',
      resources: ['http://wiki.localhost:3002/api'],
    });
    expect(wikiGrant.grant.sid).toBe(shopGrant.grant.sid);
    expect(wikiGrant.grant.sub).toBe(shopGrant.grant.sub);
    const user = await idp.users.findByUsername('alice');
    expect(shopGrant.grant.sub).toBe(user?.id);

    const session = await idp.sessions.find(shopGrant.grant.sid, Date.now());
    expect(session?.username).toBe('alice');
    expect(await inspector.get(storeKeys.session(shopGrant.grant.sid))).not.toBeNull();
  });

  it('the pending authorization is single use and gone from Redis after the login', async () => {
    const browser = createBrowser();
    const redirect = await browser.fetch(authorizeUrl(idp.url, SHOP).url);
    const loginUrl = new URL(redirect.headers.get('location')!, idp.url);
    const authz = loginUrl.searchParams.get('authz')!;
    expect(await inspector.get(storeKeys.pendingAuthorization(authz))).not.toBeNull();
    const fields = loginFormFields(await (await browser.fetch(loginUrl)).text());
    const login = await browser.post(new URL('/login', idp.url), { ...fields, ...ALICE });
    expect(login.status).toBe(303);
    expect(await inspector.get(storeKeys.pendingAuthorization(authz))).toBeNull();
  });

  it('prompt=login and max_age=0 force the form even with a live session in Redis', async () => {
    const browser = createBrowser();
    await signIn(browser, idp.url, { ...SHOP, ...ALICE });
    for (const extra of [{ prompt: 'login' }, { max_age: '0' }] as Record<string, string>[]) {
      const again = await signIn(browser, idp.url, { ...WIKI, ...ALICE, extra });
      expect(again.loginFormShown).toBe(true);
    }
  });

  it('Redis down: /authorize and /login answer a readable 503 page, then recover', async () => {
    const browser = createBrowser();
    const redirect = await browser.fetch(authorizeUrl(idp.url, SHOP).url);
    const loginUrl = new URL(redirect.headers.get('location')!, idp.url);
    await redis.kill();
    try {
      for (const url of [authorizeUrl(idp.url, SHOP).url, loginUrl]) {
        const response = await browser.fetch(url);
        expect(response.status).toBe(503);
        expect(response.headers.get('content-type')).toMatch(/^text\/html/);
        expect(response.headers.get('retry-after')).toBeTruthy();
      }
    } finally {
      await redis.start();
    }
    // Once Redis answers again, so does the IdP (the reconnect needs no restart).
    await waitFor(
      'the IdP to answer /authorize again',
      async () => {
        const response = await browser.fetch(authorizeUrl(idp.url, SHOP).url);
        return response.status === 303;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    expect((await browser.fetch(authorizeUrl(idp.url, SHOP).url)).status).toBe(303);
  }, 20_000);
});
