import { performance } from 'node:perf_hooks';
import type { Verifier } from '@latchkey/sdk';
import { startTestRedis, waitFor, type TestRedis } from '@latchkey/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../store/redis-store.js';
import {
  authorizeUrl,
  createBrowser,
  loginFormFields,
  signIn,
  type Browser,
} from '../test-support/browser.js';
import { post, redeem, refresh, SHOP, WIKI, type IssuedCode } from '../test-support/grants.js';
import { listeningVerifier } from '../test-support/listening-verifier.js';
import { startTestIdp, type TestIdp } from '../test-support/test-idp.js';
import type { User } from './user.js';

/**
 * "Disabling, deleting, or setting a password ends every session of that user everywhere":
 * the in-process IdP on a private redis-server, a user signed in to the shop and (by single
 * sign-on) the wiki through the real login form, and the SDK with its Redis revocation
 * source, as a service runs it. Each lifecycle call is the one the `users` command makes.
 */
const PASSWORD = 'a perfectly fine passphrase';
/** "Within milliseconds": generous for a shared 2-core machine, far below any token lifetime. */
const AT_ONCE_MS = 250;

let redis: TestRedis;
let idp: TestIdp;
let listener: Awaited<ReturnType<typeof listeningVerifier>>;
let sdk: Verifier;

beforeAll(async () => {
  redis = await startTestRedis();
  idp = await startTestIdp({}, createRedisStore(redis.url));
  listener = await listeningVerifier(redis.url, idp.url);
  sdk = listener.sdk;
}, 60_000);
afterAll(async () => {
  await listener?.close();
  await idp?.close();
  await redis?.kill();
});

interface SignedIn {
  user: User;
  browser: Browser;
  /** Per app: its access and refresh tokens. */
  shop: { access: string; refresh: string };
  wiki: { access: string; refresh: string };
}

let serial = 0;
/** A new user, signed in at the shop with the login form and at the wiki by single sign-on. */
async function signedInEverywhere(password = PASSWORD): Promise<SignedIn> {
  const user = await idp.accounts.add({
    username: `lifecycle${++serial}`,
    email: `lifecycle${serial}@example.test`,
    roles: ['user'],
    password,
  });
  const browser = createBrowser();
  const tokens = async (client: typeof SHOP | typeof WIKI, form: boolean) => {
    const result = await signIn(browser, idp.url, {
      clientId: client.id,
      redirectUri: client.redirectUri,
      scope: 'openid profile offline_access',
      username: user.username,
      password,
    });
    expect(result.loginFormShown).toBe(form);
    const answer = await redeem(idp, result as unknown as IssuedCode, client);
    expect(answer.status, answer.text).toBe(200);
    return {
      access: answer.json.access_token as string,
      refresh: answer.json.refresh_token as string,
    };
  };
  const shop = await tokens(SHOP, true);
  const wiki = await tokens(WIKI, false);
  for (const token of [shop.access, wiki.access]) {
    await expect(sdk.verifyAccessToken(token)).resolves.toMatchObject({ sub: user.id });
  }
  return { user, browser, shop, wiki };
}

const outcome = (token: string): Promise<string> =>
  sdk.verifyAccessToken(token).then(
    () => 'valid',
    (error: unknown) => (error as { code?: string }).code ?? String(error),
  );

/** Runs `change`, then measures how long until the SDK refuses both apps' access tokens. */
async function refusedWithin(signedIn: SignedIn, change: () => Promise<void>): Promise<number> {
  await change();
  const returnedAt = performance.now();
  await waitFor(
    'the SDK to refuse the tokens',
    async () =>
      (await outcome(signedIn.shop.access)) !== 'valid' &&
      (await outcome(signedIn.wiki.access)) !== 'valid',
    { timeoutMs: AT_ONCE_MS * 4, intervalMs: 1 },
  );
  const elapsed = performance.now() - returnedAt;
  expect(await outcome(signedIn.shop.access)).toBe('ERR_TOKEN_REVOKED');
  expect(await outcome(signedIn.wiki.access)).toBe('ERR_TOKEN_REVOKED');
  return elapsed;
}

/** Every refresh token is refused (RFC 6749 §5.2 invalid_grant), and so is /userinfo. */
async function expectNoTokenWorks(signedIn: SignedIn): Promise<void> {
  for (const [client, tokens] of [
    [SHOP, signedIn.shop],
    [WIKI, signedIn.wiki],
  ] as const) {
    const refreshed = await refresh(idp, tokens.refresh, client);
    expect({ status: refreshed.status, error: refreshed.json.error }).toEqual({
      status: 400,
      error: 'invalid_grant',
    });
    const userinfo = await fetch(`${idp.url}/userinfo`, {
      headers: { Authorization: `Bearer ${tokens.access}` },
    });
    expect(userinfo.status).toBe(401);
  }
}

/** The browser's next sign-in at the shop must show the login form: no single sign-on. */
async function expectLoginFormAgain(browser: Browser): Promise<void> {
  const response = await browser.fetch(
    authorizeUrl(idp.url, { clientId: SHOP.id, redirectUri: SHOP.redirectUri }).url,
  );
  expect(response.status).toBe(303);
  expect(new URL(response.headers.get('location')!, idp.url).pathname).toBe('/login');
}

/** POST /login with these credentials on a fresh login form: status and page (tokens blanked). */
async function loginAnswer(username: string, password: string) {
  const browser = createBrowser();
  const start = await browser.fetch(
    authorizeUrl(idp.url, { clientId: SHOP.id, redirectUri: SHOP.redirectUri }).url,
  );
  const form = await browser.fetch(new URL(start.headers.get('location')!, idp.url));
  const fields = loginFormFields(await form.text());
  const answer = await browser.post(new URL('/login', idp.url), { ...fields, username, password });
  const page = (await answer.text())
    .replaceAll(fields.authz, 'AUTHZ')
    .replaceAll(fields.csrf, 'CSRF')
    .replace(/name="csrf" value="[^"]*"/g, 'name="csrf" value="CSRF"')
    // The passkey form's single-use challenge is new on every page.
    .replace(/name="challenge" value="[^"]*"/g, 'name="challenge" value="CHALLENGE"')
    .replace(/challenge&quot;:&quot;[^&]*&quot;/g, 'challenge&quot;:&quot;CHALLENGE&quot;');
  return { status: answer.status, page, location: answer.headers.get('location') };
}

describe('disabling a user signs them out everywhere', { timeout: 60_000 }, () => {
  it("the SDK refuses both apps' tokens within milliseconds; refresh and /userinfo refuse too", async () => {
    const signedIn = await signedInEverywhere();
    const elapsed = await refusedWithin(signedIn, () => idp.accounts.disable(signedIn.user.id));
    process.stdout.write(`disable: SDK refused both apps' tokens ${elapsed.toFixed(1)} ms after\n`);
    expect(elapsed).toBeLessThan(AT_ONCE_MS);
    await expectNoTokenWorks(signedIn);
    await expectLoginFormAgain(signedIn.browser);
  });

  it("a disabled user's right password answers exactly as a wrong one", async () => {
    const { user } = await signedInEverywhere();
    await idp.accounts.disable(user.id);
    const right = await loginAnswer(user.username, PASSWORD);
    const wrong = await loginAnswer(user.username, 'not the password at all');
    expect(right.status).toBe(401);
    expect(right.location).toBeNull();
    expect(right).toEqual(wrong);
  });

  it('enabled again, the user logs in again (and only then)', async () => {
    const { user } = await signedInEverywhere();
    await idp.accounts.disable(user.id);
    expect((await loginAnswer(user.username, PASSWORD)).status).toBe(401);
    await idp.accounts.enable(user.id);
    expect((await loginAnswer(user.username, PASSWORD)).status).toBe(303);
  });
});

describe('deleting a user signs them out everywhere', { timeout: 60_000 }, () => {
  it('the SDK refuses within milliseconds; refresh, /userinfo and the login refuse', async () => {
    const signedIn = await signedInEverywhere();
    const elapsed = await refusedWithin(signedIn, () => idp.accounts.remove(signedIn.user.id));
    process.stdout.write(`delete: SDK refused both apps' tokens ${elapsed.toFixed(1)} ms after\n`);
    expect(elapsed).toBeLessThan(AT_ONCE_MS);
    await expectNoTokenWorks(signedIn);
    await expectLoginFormAgain(signedIn.browser);
    // A deleted user is an unknown user: their password answers as any wrong one.
    const login = await loginAnswer(signedIn.user.username, PASSWORD);
    expect(login.status).toBe(401);
    expect(login).toEqual(await loginAnswer(signedIn.user.username, 'not the password at all'));
  });
});

describe('setting a password signs the user out everywhere', { timeout: 60_000 }, () => {
  it('the SDK refuses within milliseconds; the old password fails, the new one works', async () => {
    const signedIn = await signedInEverywhere();
    const elapsed = await refusedWithin(signedIn, () =>
      idp.accounts.setPassword(signedIn.user.id, 'ｎｅｗ ｆｕｌｌ-ｗｉｄｔｈ ｐａｓｓ'),
    );
    process.stdout.write(`set-password: SDK refused tokens ${elapsed.toFixed(1)} ms after\n`);
    expect(elapsed).toBeLessThan(AT_ONCE_MS);
    await expectNoTokenWorks(signedIn);
    await expectLoginFormAgain(signedIn.browser);
    expect((await loginAnswer(signedIn.user.username, PASSWORD)).status).toBe(401);
    // NFKC on both sides: the ASCII spelling of the full-width password is the same password.
    expect((await loginAnswer(signedIn.user.username, 'new full-width pass')).status).toBe(303);
  });

  it('keepSid: the session it was changed in keeps working, every other one ends', async () => {
    const signedIn = await signedInEverywhere();
    const other = createBrowser();
    const elsewhere = await signIn(other, idp.url, {
      clientId: SHOP.id,
      redirectUri: SHOP.redirectUri,
      username: signedIn.user.username,
      password: PASSWORD,
    });
    const elsewhereTokens = await redeem(idp, elsewhere as unknown as IssuedCode, SHOP);
    const elsewhereAccess = elsewhereTokens.json.access_token as string;
    const keepSid = (await idp.sessions.listForUser(signedIn.user.id, Date.now())).find(
      (session) => session.sid === sidOf(signedIn.shop.access),
    )!.sid;

    await idp.accounts.setPassword(signedIn.user.id, 'another fine passphrase', { keepSid });
    await waitFor(
      'the other session to be refused',
      async () => (await outcome(elsewhereAccess)) !== 'valid',
      {
        timeoutMs: AT_ONCE_MS * 4,
        intervalMs: 1,
      },
    );
    expect(await outcome(elsewhereAccess)).toBe('ERR_TOKEN_REVOKED');
    expect(await outcome(signedIn.shop.access)).toBe('valid');
    expect((await refresh(idp, signedIn.shop.refresh, SHOP)).status).toBe(200);
  });
});

describe("a session that outlived its user's disabling issues nothing", { timeout: 60_000 }, () => {
  // The lifecycle revokes every session; these hold even if that was cut short (the state
  // changed in the directory, the revocation never ran), because every door reads the state.
  it('no single sign-on, no refresh, no /userinfo, inactive at /introspect', async () => {
    const signedIn = await signedInEverywhere();
    expect(await idp.users.setState(signedIn.user.id, 'disabled')).toBe(true);
    expect(await idp.sessions.listForUser(signedIn.user.id, Date.now())).toHaveLength(1);

    await expectLoginFormAgain(signedIn.browser);
    await expectNoTokenWorks(signedIn);
    const introspected = await post(
      idp,
      '/introspect',
      { token: signedIn.shop.access },
      {
        Authorization: SHOP.auth,
      },
    );
    expect(introspected.json).toEqual({ active: false });
    const introspectedRefresh = await post(
      idp,
      '/introspect',
      { token: signedIn.shop.refresh },
      {
        Authorization: SHOP.auth,
      },
    );
    expect(introspectedRefresh.json).toEqual({ active: false });
  });

  it('the same holds for a deleted user whose session survived', async () => {
    const signedIn = await signedInEverywhere();
    expect(await idp.users.delete(signedIn.user.id)).toBe(true);
    await expectLoginFormAgain(signedIn.browser);
    await expectNoTokenWorks(signedIn);
  });
});

function sidOf(jwt: string): string {
  return (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { sid: string })
    .sid;
}
