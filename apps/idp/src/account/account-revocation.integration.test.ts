import { performance } from 'node:perf_hooks';
import type { Verifier } from '@latchkey/sdk';
import { startTestRedis, waitFor, type TestRedis } from '@latchkey/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../store/redis-store.js';
import {
  accountHtml,
  field,
  FIREFOX,
  ISSUER_ORIGIN,
  SAFARI_IPHONE,
  sessionHandles,
  signInAtAccount,
  text,
  withHeaders,
} from '../test-support/account-pages.js';
import { createBrowser, signIn, type Browser } from '../test-support/browser.js';
import { redeem, SHOP, type IssuedCode } from '../test-support/grants.js';
import { freshTestDatabase } from '../test-support/test-database.js';
import { listeningVerifier } from '../test-support/listening-verifier.js';
import { startTestIdp, type TestIdp } from '../test-support/test-idp.js';

/**
 * The account page's sign-outs reach the services: the in-process IdP on a private
 * redis-server, a phone signed in to the shop, and the SDK with its Redis revocation source as
 * a service runs it. "Sign out" on the laptop's account page, "sign out everywhere else" and a
 * password change each make the SDK refuse the phone's tokens within milliseconds, through the
 * same revocation path as logout, while the laptop's own session keeps working.
 */
const PASSWORD = 'a perfectly fine passphrase';
/** "Within milliseconds": generous for a shared 2-core machine, far below any token lifetime. */
const AT_ONCE_MS = 250;
const SAME_ORIGIN = { Origin: ISSUER_ORIGIN, 'Sec-Fetch-Site': 'same-origin' };

let redis: TestRedis;
let idp: TestIdp;
let listener: Awaited<ReturnType<typeof listeningVerifier>>;
let sdk: Verifier;

beforeAll(async () => {
  redis = await startTestRedis();
  idp = await startTestIdp({}, createRedisStore(redis.url), {
    database: await freshTestDatabase(),
  });
  listener = await listeningVerifier(redis.url, idp.url);
  sdk = listener.sdk;
}, 60_000);
afterAll(async () => {
  await listener?.close();
  await idp?.close();
  await redis?.kill();
});

let serial = 0;
async function newUser() {
  const user = await idp.accounts.add({
    username: `account${++serial}`,
    email: `account${serial}@example.test`,
    roles: ['user'],
    password: PASSWORD,
  });
  return { username: user.username, password: PASSWORD };
}

/** A browser signed in to the shop through the login form; the shop's access token. */
async function shopSignIn(
  browser: Browser,
  credentials: { username: string; password: string },
): Promise<string> {
  const result = await signIn(browser, idp.url, {
    clientId: SHOP.id,
    redirectUri: SHOP.redirectUri,
    scope: 'openid profile',
    ...credentials,
  });
  const answer = await redeem(idp, result as unknown as IssuedCode, SHOP);
  expect(answer.status, answer.text).toBe(200);
  const token = answer.json.access_token as string;
  await expect(sdk.verifyAccessToken(token)).resolves.toMatchObject({ client_id: 'shop' });
  return token;
}

const outcome = (token: string): Promise<string> =>
  sdk.verifyAccessToken(token).then(
    () => 'valid',
    (error: unknown) => (error as { code?: string }).code ?? String(error),
  );

/** How long after `change` resolved until the SDK refuses `token` as revoked. */
async function refusedAfter(token: string, change: () => Promise<void>): Promise<number> {
  await change();
  const started = performance.now();
  await waitFor('the SDK to refuse the token', async () => (await outcome(token)) !== 'valid', {
    timeoutMs: 5_000,
    intervalMs: 2,
  });
  expect(await outcome(token)).toBe('ERR_TOKEN_REVOKED');
  return performance.now() - started;
}

/** Two devices of one user: the phone holds a shop token, the laptop is on the account page. */
async function twoDevices() {
  const credentials = await newUser();
  const phone = withHeaders(createBrowser(), { 'User-Agent': SAFARI_IPHONE });
  const phoneToken = await shopSignIn(phone, credentials);
  const laptop = withHeaders(createBrowser(), { 'User-Agent': FIREFOX });
  await signInAtAccount(laptop, idp.url, credentials);
  const laptopToken = await shopSignIn(laptop, credentials);
  return { credentials, phone, phoneToken, laptop, laptopToken };
}

function postForm(browser: Browser, path: string, fields: Record<string, string>) {
  return browser.fetch(`${idp.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...SAME_ORIGIN },
    body: new URLSearchParams(fields),
  });
}

describe('the account page over Redis, and the SDK', () => {
  it("lists the shop under the phone's session after its authorization", async () => {
    const { laptop } = await twoDevices();
    const page = text(await accountHtml(laptop, idp.url));
    expect(page).toContain('Safari on iPhone');
    expect(page.match(/Apps: Latchkey Shop \(demo\)/g)).toHaveLength(2);
  });

  it('"Sign out" of the phone: the SDK refuses the phone\'s token at once, not the laptop\'s', async () => {
    const { phone, phoneToken, laptop, laptopToken } = await twoDevices();
    const html = await accountHtml(laptop, idp.url);
    const [phoneSession] = sessionHandles(html).others;
    const ms = await refusedAfter(phoneToken, async () => {
      const answer = await postForm(laptop, '/account/sessions/sign-out', {
        csrf: field(html, 'csrf'),
        session: phoneSession!,
      });
      expect(answer.status).toBe(303);
    });
    expect(ms).toBeLessThan(AT_ONCE_MS);
    expect(await outcome(laptopToken)).toBe('valid');
    expect((await phone.fetch(`${idp.url}/account`)).status).toBe(303);
  });

  it('"Sign out everywhere else": every other session\'s tokens refused, this one\'s kept', async () => {
    const { phoneToken, laptop, laptopToken } = await twoDevices();
    const html = await accountHtml(laptop, idp.url);
    const ms = await refusedAfter(phoneToken, async () => {
      const answer = await postForm(laptop, '/account/sessions/sign-out-others', {
        csrf: field(html, 'csrf'),
      });
      expect(answer.headers.get('location')).toBe('/account?done=others-ended');
    });
    expect(ms).toBeLessThan(AT_ONCE_MS);
    expect(await outcome(laptopToken)).toBe('valid');
  });

  it("a password change: the other sessions' tokens refused, this session's kept", async () => {
    const { credentials, phoneToken, laptop, laptopToken } = await twoDevices();
    const html = await accountHtml(laptop, idp.url, '/account/password');
    const next = 'an entirely new passphrase';
    const ms = await refusedAfter(phoneToken, async () => {
      const answer = await postForm(laptop, '/account/password', {
        csrf: field(html, 'csrf'),
        current_password: credentials.password,
        new_password: next,
        confirm_password: next,
      });
      expect(answer.headers.get('location')).toBe('/account?done=password-changed');
    });
    expect(ms).toBeLessThan(AT_ONCE_MS);
    expect(await outcome(laptopToken)).toBe('valid');
    expect((await laptop.fetch(`${idp.url}/account`)).status).toBe(200);
  });
});
