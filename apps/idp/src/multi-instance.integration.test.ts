import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findTestPostgres,
  printOutputOnFailure,
  startRoundRobinProxy,
  startTestRedis,
  UPSTREAM_HEADER,
  type RoundRobinProxy,
  type TestPostgresDatabase,
  type TestRedis,
} from '@latchkey/testing';
import { adminAudience } from './admin/admin-auth.js';
import { authorizeUrl, createBrowser, signIn, type Browser } from './test-support/browser.js';
import { startIdp, type IdpProcess } from './test-support/idp-process.js';
import { basicAuth, form } from './test-support/test-idp.js';

/**
 * Issue 15 part 4: three IdP processes behind a round-robin load balancer, sharing one
 * private redis-server and one PostgreSQL database on the server, as an operator runs them.
 * Each assertion that needs a given instance pins its requests there (the balancer's
 * `x-upstream-pin`), and checks from the answer's `x-upstream` that it was served there.
 */

const ISSUER = 'http://idp.localhost:4000';
const PIN = 'x-upstream-pin';
const INSTANCES = [0, 1, 2] as const;
const SHOP = {
  clientId: 'shop',
  auth: basicAuth('shop', 'shop-demo-secret'),
  redirectUri: 'http://shop.localhost:3001/auth/callback',
  postLogout: 'http://shop.localhost:3001/',
};
const WIKI = {
  clientId: 'wiki',
  auth: basicAuth('wiki', 'wiki-demo-secret'),
  redirectUri: 'http://wiki.localhost:3002/auth/callback',
};
const OPS = basicAuth('ops', 'ops-demo-secret');
const REPORTS = basicAuth('reports', 'reports-demo-secret');
const ALICE = { username: 'alice', password: 'wonderland-alice' };
/** POST /login per address, counted in Redis: low, so a test reaches it in a few requests. */
const LOGIN_LIMIT = 3;

// Instances on one database must share their key-encryption key: the keys are sealed under it.
const KEK = randomBytes(32).toString('base64url');
const postgres = await findTestPostgres();

let redis: TestRedis;
let database: TestPostgresDatabase;
const idps: IdpProcess[] = [];
let balancer: RoundRobinProxy;

beforeAll(async () => {
  if (!postgres.available) return;
  redis = await startTestRedis();
  database = await postgres.createDatabase();
  const env = {
    REDIS_URL: redis.url,
    DATABASE_URL: database.url,
    KEY_ENCRYPTION_KEY: KEK,
    LOG_LEVEL: 'warn',
    // The balancer connects from 127.0.0.1: its X-Forwarded-For names the real client.
    TRUSTED_PROXIES: '127.0.0.1',
    RATE_LIMIT_LOGIN_PER_ADDRESS: `${LOGIN_LIMIT}/1h`,
    // A count Redis answers later than the budget is made by the instance alone (by design:
    // an outage must not stall logins), and the test of shared limits would then see a 400
    // where it waits for a 429: on a loaded two-core CI machine 100 ms was once too short.
    RATE_LIMIT_STORE_BUDGET: '5s',
  };
  // One after the other: the first migrates the new database and makes the keys, the others
  // find them (starting together is safe too, but slower to read when it fails).
  while (idps.length < INSTANCES.length) idps.push(await startIdp(env));
  balancer = await startRoundRobinProxy({ upstreams: idps.map((idp) => idp.url), pinHeader: PIN });
}, 180_000);

afterAll(async () => {
  await balancer?.close();
  for (const idp of idps) await idp.kill();
  await redis?.kill();
  await database?.drop();
});

printOutputOnFailure(() =>
  idps.map((idp, index) => `--- instance ${index}\n${idp.output()}`).join('\n'),
);

/** The browser's requests, all sent to one instance through the balancer (one cookie jar). */
function pinnedTo(browser: Browser, instance: number): Browser {
  const pinned = (init: RequestInit = {}): RequestInit => {
    const headers = new Headers(init.headers);
    headers.set(PIN, String(instance));
    return { ...init, headers };
  };
  return {
    fetch: (url, init) => browser.fetch(url, pinned(init)),
    post: (url, fields) =>
      browser.fetch(
        url,
        pinned({
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(fields),
        }),
      ),
    cookie: (url, name) => browser.cookie(url, name),
    setCookie: (url, name, value) => browser.setCookie(url, name, value),
  };
}

/** A request through the balancer to one instance; fails the test if another answered. */
async function at(instance: number, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set(PIN, String(instance));
  const response = await fetch(`${balancer.url}${path}`, { ...init, headers, redirect: 'manual' });
  expect(response.headers.get(UPSTREAM_HEADER)).toBe(String(instance));
  return response;
}

async function tokenAt(
  instance: number,
  auth: string,
  params: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await at(instance, '/token', {
    method: 'POST',
    headers: { Authorization: auth, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: form(params),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function redeemAt(
  instance: number,
  client: typeof SHOP | typeof WIKI,
  signedIn: { code: string; verifier: string },
): Promise<Record<string, string>> {
  const { status, body } = await tokenAt(instance, client.auth, {
    grant_type: 'authorization_code',
    code: signedIn.code,
    redirect_uri: client.redirectUri,
    code_verifier: signedIn.verifier,
  });
  expect(status, JSON.stringify(body)).toBe(200);
  return body as Record<string, string>;
}

/** The `error` of a prompt=none /authorize answered at `instance`, or `code` if it issued one. */
async function silentAuthorize(browser: Browser, instance: number): Promise<string> {
  const { url } = authorizeUrl(balancer.url, {
    clientId: WIKI.clientId,
    redirectUri: WIKI.redirectUri,
    extra: { prompt: 'none' },
  });
  const response = await pinnedTo(browser, instance).fetch(url);
  expect(response.headers.get(UPSTREAM_HEADER)).toBe(String(instance));
  const location = new URL(response.headers.get('location') ?? 'about:blank');
  expect(location.origin + location.pathname).toBe(WIKI.redirectUri);
  return location.searchParams.get('error') ?? (location.searchParams.has('code') ? 'code' : '?');
}

const kidOf = (jwt: string): string =>
  (JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;

async function jwksKids(instance: number): Promise<string[]> {
  const response = await at(instance, '/jwks');
  const { keys } = (await response.json()) as { keys: { kid: string }[] };
  return keys.map((key) => key.kid).sort();
}

interface AdminKey {
  kid: string;
  alg: string;
  state: string;
}

/** POST /login from a loopback address of the caller's choosing (a client of its own). */
function postLoginFrom(localAddress: string, instance: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${balancer.url}/login`, {
      method: 'POST',
      localAddress,
      headers: { 'content-type': 'application/x-www-form-urlencoded', [PIN]: String(instance) },
    });
    request.on('error', reject);
    request.on('response', (response) => {
      response.resume();
      expect(response.headers[UPSTREAM_HEADER]).toBe(String(instance));
      resolve(response.statusCode ?? 0);
    });
    request.end('username=alice&password=not-her-password');
  });
}

describe.skipIf(!postgres.available)('three IdP instances behind a load balancer', () => {
  it(
    'single sign-on: login on 1, silent SSO on 2, logout on 3 ends the session on all',
    { timeout: 60_000 },
    async () => {
      const browser = createBrowser();
      const atShop = await signIn(pinnedTo(browser, 0), balancer.url, {
        clientId: SHOP.clientId,
        redirectUri: SHOP.redirectUri,
        scope: 'openid profile offline_access',
        ...ALICE,
      });
      expect(atShop.loginFormShown).toBe(true);
      const shopTokens = await redeemAt(0, SHOP, atShop);

      // The session written by instance 1 answers a silent request at instance 2.
      const atWiki = await signIn(pinnedTo(browser, 1), balancer.url, {
        clientId: WIKI.clientId,
        redirectUri: WIKI.redirectUri,
        extra: { prompt: 'none' },
      });
      expect(atWiki.loginFormShown).toBe(false);
      const wikiTokens = await redeemAt(1, WIKI, atWiki);
      for (const instance of INSTANCES) {
        const userinfo = await at(instance, '/userinfo', {
          headers: { Authorization: `Bearer ${wikiTokens.access_token}` },
        });
        expect(userinfo.status).toBe(200);
      }

      const cookie = browser.cookie(balancer.url, 'latchkey_session');
      expect(cookie).toEqual(expect.any(String));
      const logoutUrl = new URL('/logout', balancer.url);
      logoutUrl.searchParams.set('id_token_hint', shopTokens.id_token!);
      logoutUrl.searchParams.set('post_logout_redirect_uri', SHOP.postLogout);
      const logout = await pinnedTo(browser, 2).fetch(logoutUrl);
      expect(logout.headers.get(UPSTREAM_HEADER)).toBe('2');
      expect(logout.status).toBeGreaterThanOrEqual(300);
      expect(logout.status).toBeLessThan(400);

      // The old cookie, replayed: only the server side can say the session is over.
      browser.setCookie(balancer.url, 'latchkey_session', cookie);
      expect(await silentAuthorize(browser, 0)).toBe('login_required');
      expect(await silentAuthorize(browser, 1)).toBe('login_required');
      for (const token of [shopTokens.access_token!, wikiTokens.access_token!]) {
        for (const instance of INSTANCES) {
          const userinfo = await at(instance, '/userinfo', {
            headers: { Authorization: `Bearer ${token}` },
          });
          expect(userinfo.status).toBe(401);
        }
      }
    },
  );

  it(
    'a refresh token from one instance refreshes on another; reuse on a third revokes the family',
    { timeout: 60_000 },
    async () => {
      const browser = createBrowser();
      const signedIn = await signIn(pinnedTo(browser, 0), balancer.url, {
        clientId: SHOP.clientId,
        redirectUri: SHOP.redirectUri,
        scope: 'openid offline_access',
        ...ALICE,
      });
      const first = await redeemAt(0, SHOP, signedIn);
      const refreshed = await tokenAt(1, SHOP.auth, {
        grant_type: 'refresh_token',
        refresh_token: first.refresh_token!,
      });
      expect(refreshed.status).toBe(200);
      const second = refreshed.body.refresh_token as string;
      expect(second).not.toBe(first.refresh_token);

      const reused = await tokenAt(2, SHOP.auth, {
        grant_type: 'refresh_token',
        refresh_token: first.refresh_token!,
      });
      expect({ status: reused.status, error: reused.body.error }).toEqual({
        status: 400,
        error: 'invalid_grant',
      });
      // The whole family is gone, wherever its newest token is presented.
      for (const instance of INSTANCES) {
        const after = await tokenAt(instance, SHOP.auth, {
          grant_type: 'refresh_token',
          refresh_token: second,
        });
        expect({ status: after.status, error: after.body.error }).toEqual({
          status: 400,
          error: 'invalid_grant',
        });
      }
      // Reuse revokes the session too: its access token is refused on every instance.
      for (const instance of INSTANCES) {
        const userinfo = await at(instance, '/userinfo', {
          headers: { Authorization: `Bearer ${refreshed.body.access_token as string}` },
        });
        expect(userinfo.status).toBe(401);
      }
    },
  );

  it(
    'one rotation for all: made once on one instance, published and used by every instance',
    { timeout: 90_000 },
    async () => {
      const ops = await tokenAt(0, OPS, {
        grant_type: 'client_credentials',
        scope: 'latchkey:admin',
        resource: adminAudience(ISSUER),
      });
      expect(ops.status).toBe(200);
      const admin = { Authorization: `Bearer ${ops.body.access_token as string}` };
      const listAt = async (instance: number): Promise<AdminKey[]> => {
        const response = await at(instance, '/admin/v1/keys', { headers: admin });
        expect(response.status).toBe(200);
        return ((await response.json()) as { items: AdminKey[] }).items;
      };
      const before = await listAt(0);
      for (const instance of INSTANCES) expect(await listAt(instance)).toEqual(before);

      const rotated = await at(1, '/admin/v1/keys/rotate', { method: 'POST', headers: admin });
      expect(rotated.status).toBe(200);
      const after = ((await rotated.json()) as { items: AdminKey[] }).items;
      const known = new Set(before.map((key) => key.kid));
      const made = after.filter((key) => !known.has(key.kid));
      // One new pending key per signing algorithm, no more: one rotation, not three.
      const algorithms = [...new Set(before.map((key) => key.alg))].sort();
      expect(made.map((key) => key.alg).sort()).toEqual(algorithms);
      expect(made.every((key) => key.state === 'pending')).toBe(true);
      const wasPending = before.filter((key) => key.state === 'pending').map((key) => key.kid);
      const activeEs256 = after.find((key) => key.alg === 'ES256' && key.state === 'active')!;
      expect(wasPending).toContain(activeEs256.kid);

      // Every instance learns the new set (a notice through Redis, or its periodic re-read).
      const expectedKids = await jwksKids(1);
      for (const kid of [activeEs256.kid, ...made.map((key) => key.kid)]) {
        expect(expectedKids).toContain(kid);
      }
      for (const instance of INSTANCES) {
        await expect
          .poll(() => jwksKids(instance), { timeout: 30_000, interval: 100 })
          .toEqual(expectedKids);
        await expect.poll(() => listAt(instance), { timeout: 30_000 }).toEqual(after);
        const signedWith = async (): Promise<string> => {
          const issued = await tokenAt(instance, REPORTS, {
            grant_type: 'client_credentials',
            scope: 'wiki:read',
          });
          expect(issued.status).toBe(200);
          return kidOf(issued.body.access_token as string);
        };
        await expect.poll(signedWith, { timeout: 30_000, interval: 100 }).toBe(activeEs256.kid);
      }
      // Still exactly the keys of that one rotation, seen from everywhere.
      expect(await listAt(2)).toEqual(after);
    },
  );

  it(
    'rate limits are shared: the request over the limit is refused wherever it lands',
    { timeout: 60_000 },
    async () => {
      // A client of its own at 127.0.0.2: the balancer names it in X-Forwarded-For, and the
      // IdPs, trusting the balancer, count that address (not the balancer's).
      const client = '127.0.0.2';
      for (let i = 0; i < LOGIN_LIMIT; i += 1) {
        // No form, no CSRF token: refused, but counted first (the limit runs ahead of all).
        expect(await postLoginFrom(client, i % INSTANCES.length)).not.toBe(429);
      }
      for (const instance of INSTANCES) expect(await postLoginFrom(client, instance)).toBe(429);
      // Counted per address: another client is not refused.
      expect(await postLoginFrom('127.0.0.3', 2)).not.toBe(429);
    },
  );
});
