import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorizeUrl,
  createBrowser,
  sidInCookie,
  signIn,
  type Browser,
} from '../test-support/browser.js';
import { claimsOf, redeem, refresh, SHOP, WIKI, withTestClients } from '../test-support/grants.js';
import { freshTestDatabase } from '../test-support/test-database.js';
import { sessionCookieFor, startTestIdp, type TestIdp } from '../test-support/test-idp.js';
import { createMemoryStore } from '../store/memory-store.js';
import { timeStep, totpCodeAt, TOTP_PERIOD_S } from './totp-code.js';

const ACR_PWD = 'urn:latchkey:acr:pwd';
const ACR_MFA = 'urn:latchkey:acr:mfa';
const STEP_MS = TOTP_PERIOD_S * 1000;
/** A client registered with `require_mfa`. */
const VAULT = {
  id: 'vault',
  auth: `Basic ${Buffer.from('vault:vault-secret-for-tests').toString('base64')}`,
  redirectUri: 'http://vault.localhost:3005/auth/callback',
};
const ALICE = { username: 'alice', password: 'wonderland-alice' };
const CAROL = { username: 'carol', password: 'violet-harbour-lantern-42' };

// Near the real time: the test browser drops cookies whose Expires has passed by its clock.
let clock = Math.floor(Date.now() / STEP_MS) * STEP_MS + 5_000;
const now = () => clock;
let idp: TestIdp;
let removeClients: () => Promise<void>;
let carolSecret: string;

beforeAll(async () => {
  const clients = await withTestClients([
    {
      client_id: VAULT.id,
      client_secret: 'vault-secret-for-tests',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: [VAULT.redirectUri],
      resources: ['http://vault.localhost:3005/api'],
      require_mfa: true,
      // Its refresh answers carry an ID token, so that the test below can read amr and acr.
      id_token_on_refresh: true,
    },
  ]);
  removeClients = clients.remove;
  const database = await freshTestDatabase();
  idp = await startTestIdp({ CLIENTS_FILE: clients.file }, createMemoryStore({ now }), {
    now,
    database,
  });
  await idp.accounts.add({ ...CAROL, roles: ['user'] });
}, 60_000);
afterAll(async () => {
  await idp.close();
  await removeClients();
});

function nextCode(secret = carolSecret): string {
  clock += STEP_MS;
  return totpCodeAt(secret, timeStep(now()));
}

/** Carol enrols a TOTP (the service the account page uses); her sessions stay as they are. */
async function enrolCarol(): Promise<void> {
  if (carolSecret) return;
  const carol = (await idp.users.findByUsername('carol'))!;
  const begun = await idp.secondFactors.beginTotp(carol);
  carolSecret = begun!.secret;
  const confirmed = await idp.secondFactors.confirmTotp(carol.id, nextCode());
  if (!confirmed.ok) throw new Error('enrolment failed');
}

async function idTokenOf(
  result: { code: string; verifier: string },
  client: { id: string; redirectUri: string; auth: string },
) {
  const answer = await redeem(
    idp,
    { code: result.code, verifier: result.verifier } as never,
    client,
  );
  expect(answer.status).toBe(200);
  return { claims: claimsOf(answer.json.id_token as string), tokens: answer.json };
}

const sidOf = (browser: Browser) => {
  const cookie = browser.cookie(idp.url, 'latchkey_session');
  return cookie === undefined ? undefined : sidInCookie(cookie);
};
const shop = { clientId: SHOP.id, redirectUri: SHOP.redirectUri };
const wiki = { clientId: WIKI.id, redirectUri: WIKI.redirectUri };

describe('OIDC Core §2 amr and acr in the ID token (RFC 8176 values)', () => {
  it('a password login: amr ["pwd"], acr urn:latchkey:acr:pwd', async () => {
    const result = await signIn(createBrowser(), idp.url, { ...shop, ...ALICE });
    const { claims } = await idTokenOf(result, SHOP);
    expect(claims.amr).toEqual(['pwd']);
    expect(claims.acr).toBe(ACR_PWD);
  });

  it('a password and a TOTP code: amr ["pwd","otp","mfa"], acr urn:latchkey:acr:mfa, kept on refresh', async () => {
    await enrolCarol();
    const result = await signIn(createBrowser(), idp.url, {
      clientId: VAULT.id,
      redirectUri: VAULT.redirectUri,
      ...CAROL,
      secondFactor: () => nextCode(),
    });
    const { claims, tokens } = await idTokenOf(result, VAULT);
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
    expect(claims.acr).toBe(ACR_MFA);
    // OIDC Core §12.2: a refreshed ID token (VAULT asks for one) speaks of the same
    // authentication.
    const refreshed = await refresh(idp, tokens.refresh_token as string, VAULT);
    expect(claims.sid).toBe(claimsOf(refreshed.json.id_token as string).sid);
    expect(claimsOf(refreshed.json.id_token as string)).toMatchObject({
      amr: claims.amr,
      acr: ACR_MFA,
    });
  });
});

describe('OIDC Core §3.1.2.1 acr_values: step-up in place', () => {
  it('a password session asked for mfa proves only the second factor, keeps its sid, and the shop stays signed in', async () => {
    const browser = createBrowser();
    // Carol's password-only session (signed in before she had a TOTP).
    const carol = (await idp.users.findByUsername('carol'))!;
    const session = await idp.sessions.create({ sub: carol.id, username: 'carol' }, now());
    browser.setCookie(idp.url, 'latchkey_session', sessionCookieFor(idp, session.sid));
    await enrolCarol();
    const atShop = await signIn(browser, idp.url, shop);
    expect(atShop.loginFormShown).toBe(false);
    expect((await idTokenOf(atShop, SHOP)).claims.acr).toBe(ACR_PWD);

    const { url } = authorizeUrl(idp.url, { ...wiki, extra: { acr_values: ACR_MFA } });
    const toStep = await browser.fetch(url);
    expect(toStep.status).toBe(303);
    expect(new URL(toStep.headers.get('location')!, idp.url).pathname).toBe('/login/second-factor');

    const atWiki = await signIn(browser, idp.url, {
      ...wiki,
      extra: { acr_values: ACR_MFA },
      secondFactor: () => nextCode(),
    });
    const { claims } = await idTokenOf(atWiki, WIKI);
    expect(claims.sid).toBe(session.sid);
    expect(claims.acr).toBe(ACR_MFA);
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
    expect(sidOf(browser)).toBe(session.sid);
    // The shop's session is the same one, still live: nothing was revoked.
    expect(await idp.sessions.find(session.sid, now())).toMatchObject({ acr: ACR_MFA });
    const again = await signIn(browser, idp.url, shop);
    expect(again.loginFormShown).toBe(false);
  });

  it('a session that already reaches the asked acr signs in without a prompt', async () => {
    const browser = createBrowser();
    await enrolCarol();
    await signIn(browser, idp.url, { ...shop, ...CAROL, secondFactor: () => nextCode() });
    const result = await signIn(browser, idp.url, { ...wiki, extra: { acr_values: ACR_MFA } });
    expect(result.loginFormShown).toBe(false);
  });

  it('a user with no second factor asked for mfa is told so clearly, and gets no code', async () => {
    const browser = createBrowser();
    await signIn(browser, idp.url, { ...shop, ...ALICE });
    const { url } = authorizeUrl(idp.url, { ...wiki, extra: { acr_values: ACR_MFA } });
    const page = await browser.fetch(url);
    expect(page.status).toBe(403);
    const html = await page.text();
    expect(html).toContain('requires two-step verification');
    expect(html).toContain('href="/account/two-factor"');
    expect(page.headers.get('location')).toBeNull();
  });

  it('"mfa pwd" in order of preference accepts a password from a user with no factor', async () => {
    const browser = createBrowser();
    await signIn(browser, idp.url, { ...shop, ...ALICE });
    const result = await signIn(browser, idp.url, {
      ...wiki,
      extra: { acr_values: `${ACR_MFA} ${ACR_PWD}` },
    });
    expect((await idTokenOf(result, WIKI)).claims.acr).toBe(ACR_PWD);
  });

  it('an acr value we do not offer is ignored, not refused', async () => {
    const browser = createBrowser();
    const result = await signIn(browser, idp.url, {
      ...shop,
      ...ALICE,
      extra: { acr_values: 'urn:example:gold' },
    });
    expect((await idTokenOf(result, SHOP)).claims.acr).toBe(ACR_PWD);
  });
});

describe('OIDC Core §3.1.2.6 prompt=none with an unsatisfied acr', () => {
  it('answers login_required when the second factor must be proved', async () => {
    const browser = createBrowser();
    const carol = (await idp.users.findByUsername('carol'))!;
    const session = await idp.sessions.create({ sub: carol.id, username: 'carol' }, now());
    browser.setCookie(idp.url, 'latchkey_session', sessionCookieFor(idp, session.sid));
    await enrolCarol();
    const { url } = authorizeUrl(idp.url, {
      ...wiki,
      extra: { acr_values: ACR_MFA, prompt: 'none' },
    });
    const answer = await browser.fetch(url);
    const callback = new URL(answer.headers.get('location')!);
    expect(callback.searchParams.get('error')).toBe('login_required');
  });

  it('answers interaction_required when the user has no second factor to prove', async () => {
    const browser = createBrowser();
    await signIn(browser, idp.url, { ...shop, ...ALICE });
    const { url } = authorizeUrl(idp.url, {
      ...wiki,
      extra: { acr_values: ACR_MFA, prompt: 'none' },
    });
    const answer = await browser.fetch(url);
    const callback = new URL(answer.headers.get('location')!);
    expect(callback.searchParams.get('error')).toBe('interaction_required');
  });
});

describe('OIDC Core §3.1.2.1 max_age with a second factor', () => {
  it('an mfa session older than max_age asks for the password and the second factor again', async () => {
    const browser = createBrowser();
    await enrolCarol();
    await signIn(browser, idp.url, { ...shop, ...CAROL, secondFactor: () => nextCode() });
    const sid = sidOf(browser);
    clock += 120_000;
    let asked = 0;
    const result = await signIn(browser, idp.url, {
      ...wiki,
      ...CAROL,
      extra: { max_age: '60' },
      secondFactor: () => {
        asked += 1;
        return nextCode();
      },
    });
    expect(result.loginFormShown).toBe(true);
    expect(asked).toBe(1);
    const { claims } = await idTokenOf(result, WIKI);
    expect(claims.sid).toBe(sid);
    expect(claims.auth_time).toBe(Math.floor(now() / 1000));
    expect(claims.acr).toBe(ACR_MFA);
  });
});

describe('client registration require_mfa', () => {
  it('a user with no second factor gets the clear page after the password, and no code', async () => {
    const browser = createBrowser();
    const { url } = authorizeUrl(idp.url, { clientId: VAULT.id, redirectUri: VAULT.redirectUri });
    const toLogin = await browser.fetch(url);
    const loginUrl = new URL(toLogin.headers.get('location')!, idp.url);
    const html = await (await browser.fetch(loginUrl)).text();
    const fields = Object.fromEntries(
      [...html.matchAll(/name="(authz|csrf)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
    );
    const answer = await browser.post(new URL('/login', idp.url), { ...fields, ...ALICE });
    expect(answer.status).toBe(403);
    expect(await answer.text()).toContain('requires two-step verification');
    expect(sidOf(browser)).toBeUndefined();
  });

  it('a user with a TOTP signs in with it and gets acr mfa', async () => {
    await enrolCarol();
    const result = await signIn(createBrowser(), idp.url, {
      clientId: VAULT.id,
      redirectUri: VAULT.redirectUri,
      ...CAROL,
      secondFactor: () => nextCode(),
    });
    expect((await idTokenOf(result, VAULT)).claims.acr).toBe(ACR_MFA);
  });
});
