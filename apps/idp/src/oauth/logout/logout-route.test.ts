import { SignJWT } from 'jose';
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { revocationKeys } from '@latchkey/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOP, signInToShop, WIKI } from '../../test-support/grants.js';
import {
  form,
  sessionCookieFor,
  startClockedTestIdp,
  type TestIdp,
} from '../../test-support/test-idp.js';

let idp: TestIdp;
let clock = Date.now();
beforeAll(async () => {
  idp = await startClockedTestIdp(() => clock);
});
afterAll(() => idp.close());

const COOKIE = 'latchkey_session';

async function signedIn(username: string) {
  const { session, tokens } = await signInToShop(idp, username, { nowMs: clock });
  return { session, idToken: tokens.id_token!, accessToken: tokens.access_token! };
}

function logout(params: Record<string, string>, sid?: string, method: 'GET' | 'POST' = 'GET') {
  const headers: Record<string, string> = sid
    ? { Cookie: `${COOKIE}=${sessionCookieFor(idp, sid)}` }
    : {};
  return method === 'GET'
    ? fetch(`${idp.url}/logout?${new URLSearchParams(params).toString()}`, {
        headers,
        redirect: 'manual',
      })
    : fetch(`${idp.url}/logout`, { method, headers, body: form(params), redirect: 'manual' });
}

const alive = async (sid: string) => (await idp.sessions.find(sid, clock)) !== null;

/** The confirmation form (§2), found by its fields rather than its wording. */
function expectConfirmation(response: Response, page: string) {
  expectHtmlPage(response, 200);
  expect(page).toContain('<form method="post" action="/logout">');
  expect(page).toContain('name="confirm" value="yes"');
}

/** Every logout page: HTML, never cached, never framed, styles only by hash (views/html.ts). */
function expectHtmlPage(response: Response, status: number) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  expect(response.headers.get('cache-control')).toBe('no-store');
  const csp = response.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
  expect(csp).not.toContain('unsafe-inline');
  expect(response.headers.get('location')).toBeNull();
}

describe('GET|POST /logout (OpenID Connect RP-Initiated Logout 1.0)', () => {
  it('RP-Initiated Logout 2, 3: a valid id_token_hint and a registered URI end the session, clear the cookie and redirect with state', async () => {
    const { session, accessToken, idToken } = await signedIn('leaver');
    const response = await logout(
      {
        id_token_hint: idToken,
        post_logout_redirect_uri: SHOP.postLogoutRedirectUri,
        state: 'af0ifjsldkj',
      },
      session.sid,
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('http://shop.localhost:3001/?state=af0ifjsldkj');
    expect(response.headers.get('set-cookie')).toMatch(
      /^latchkey_session=;.*(max-age=0|expires=Thu, 01 Jan 1970)/i,
    );
    expect(await alive(session.sid)).toBe(false);
    expect((await idp.store.setMembers(revocationKeys.set)).has(`sid:${session.sid}`)).toBe(true);
    const userinfo = await fetch(`${idp.url}/userinfo`, {
      headers: { Authorization: `Bearer ${accessToken}` },
    });
    expect(userinfo.status).toBe(401);
  });

  it('RP-Initiated Logout 2 (security): a valid id_token_hint without the session cookie → confirmation page, the session stays alive', async () => {
    const { session, idToken } = await signedIn('hintonly');
    for (const method of ['GET', 'POST'] as const) {
      const response = await logout({ id_token_hint: idToken }, undefined, method);
      expectConfirmation(response, await response.text());
    }
    // Confirming without the browser's session ends nothing: the hint is not the session.
    const forced = await logout({ id_token_hint: idToken, confirm: 'yes' }, undefined, 'POST');
    expectHtmlPage(forced, 200);
    expect(await alive(session.sid)).toBe(true);
  });

  it('RP-Initiated Logout 2: after a hint without the cookie, the user can still confirm from the browser that holds the session', async () => {
    const { session, idToken } = await signedIn('crosssite');
    // A cross-site POST may arrive without the cookie: the form cannot carry a session token yet.
    const ask = await logout({ id_token_hint: idToken }, undefined, 'POST');
    const page = await ask.text();
    expectConfirmation(ask, page);
    const blank = /name="csrf" value="([^"]*)"/.exec(page)?.[1];
    expect(blank).toBe('');
    // Submitted from the IdP's own page, the cookie comes along; a token bound to no session
    // only asks again, now with one bound to the session, which ends it.
    const again = await logout({ confirm: 'yes', csrf: '' }, session.sid, 'POST');
    const second = await again.text();
    expectConfirmation(again, second);
    expect(await alive(session.sid)).toBe(true);
    const csrf = /name="csrf" value="([^"]+)"/.exec(second)?.[1] ?? '';
    const done = await logout({ confirm: 'yes', csrf }, session.sid, 'POST');
    expectHtmlPage(done, 200);
    expect(await alive(session.sid)).toBe(false);
  });

  it('RP-Initiated Logout 2, 4: an expired id_token_hint still names the client (its post_logout_redirect_uri is checked) but ends nothing without confirmation', async () => {
    const { session, idToken } = await signedIn('expiredhint');
    clock += 20 * 60_000;
    try {
      expectHtmlPage(
        await logout(
          { id_token_hint: idToken, post_logout_redirect_uri: 'http://evil.localhost/' },
          session.sid,
        ),
        400,
      );
      const ask = await logout(
        { id_token_hint: idToken, post_logout_redirect_uri: SHOP.postLogoutRedirectUri },
        session.sid,
      );
      const page = await ask.text();
      expectConfirmation(ask, page);
      expect(page).toContain(`name="client_id" value="${SHOP.id}"`);
      expect(await alive(session.sid)).toBe(true);
      const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
      const done = await logout(
        {
          confirm: 'yes',
          csrf,
          client_id: SHOP.id,
          post_logout_redirect_uri: SHOP.postLogoutRedirectUri,
        },
        session.sid,
        'POST',
      );
      expect(done.status).toBe(303);
      expect(done.headers.get('location')).toBe(SHOP.postLogoutRedirectUri);
      expect(await alive(session.sid)).toBe(false);
    } finally {
      clock -= 20 * 60_000;
    }
  });

  it("RP-Initiated Logout 2 (security): a hint for another session of the same user than the cookie's → confirmation; neither session ends", async () => {
    const { session: first, idToken: firstHint } = await signedIn('twosessions');
    const { session: second } = await signedIn('twosessions');
    expect(second.sid).not.toBe(first.sid);
    const response = await logout({ id_token_hint: firstHint }, second.sid);
    expectConfirmation(response, await response.text());
    expect(await alive(first.sid)).toBe(true);
    expect(await alive(second.sid)).toBe(true);
  });

  it('RP-Initiated Logout 3: an unregistered post_logout_redirect_uri → error page, never a redirect, nothing ended', async () => {
    const { session, idToken } = await signedIn('openredirect');
    for (const uri of [
      'http://evil.localhost/',
      'http://shop.localhost:3001',
      'http://shop.localhost:3001/?x=1',
      'http://wiki.localhost:3002/',
    ]) {
      const response = await logout(
        { id_token_hint: idToken, post_logout_redirect_uri: uri },
        session.sid,
      );
      expectHtmlPage(response, 400);
      expect(await response.text()).toContain('not registered');
    }
    expect(await alive(session.sid)).toBe(true);
  });

  it('RP-Initiated Logout 3: a post_logout_redirect_uri without client_id or hint → error page', async () => {
    const { session } = await signedIn('noclient');
    const response = await logout(
      { post_logout_redirect_uri: SHOP.postLogoutRedirectUri },
      session.sid,
    );
    expectHtmlPage(response, 400);
    expect(await alive(session.sid)).toBe(true);
  });

  it('RP-Initiated Logout 2: client_id that does not match the hint, or is unknown → error page', async () => {
    const { session, idToken } = await signedIn('mismatch');
    expectHtmlPage(await logout({ id_token_hint: idToken, client_id: WIKI.id }, session.sid), 400);
    expectHtmlPage(await logout({ client_id: 'nobody' }, session.sid), 400);
    expect(await alive(session.sid)).toBe(true);
  });

  it('RP-Initiated Logout 4: a forged, foreign or malformed id_token_hint, or an access token → error page', async () => {
    const { session, idToken, accessToken } = await signedIn('forged');
    const [h, p, s] = idToken.split('.');
    const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
    const foreign = await new SignJWT({
      sub: 'id-forged',
      aud: 'shop',
      iss: 'http://idp.localhost:4000',
    })
      .setProtectedHeader({
        alg: 'RS256',
        kid: (JSON.parse(Buffer.from(h!, 'base64url').toString()) as { kid: string }).kid,
      })
      .sign(privateKey);
    for (const hint of [`${h}.${p}.${s!.slice(3)}`, 'garbage', foreign, accessToken]) {
      const response = await logout({ id_token_hint: hint }, session.sid);
      expectHtmlPage(response, 400);
    }
    expect(await alive(session.sid)).toBe(true);
  });

  it('RP-Initiated Logout 2 (CSRF): without a hint the user is asked to confirm; nothing ends until they do', async () => {
    const { session } = await signedIn('confirm');
    const ask = await logout(
      { client_id: SHOP.id, post_logout_redirect_uri: SHOP.postLogoutRedirectUri, state: 's1' },
      session.sid,
    );
    expectHtmlPage(ask, 200);
    expect(ask.headers.get('content-security-policy')).toContain(
      "form-action 'self' http://shop.localhost:3001",
    );
    const page = await ask.text();
    expect(page).toContain('<button type="submit">Sign out</button>');
    expect(await alive(session.sid)).toBe(true);

    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1];
    expect(csrf).toBeDefined();
    const fields = {
      confirm: 'yes',
      client_id: SHOP.id,
      post_logout_redirect_uri: SHOP.postLogoutRedirectUri,
      state: 's1',
    };
    // A forged confirmation (no or wrong token) only shows the question again.
    for (const forged of [{}, { csrf: 'A'.repeat(43) }] as Record<string, string>[]) {
      const response = await logout({ ...fields, ...forged }, session.sid, 'POST');
      expectHtmlPage(response, 200);
      expect(await alive(session.sid)).toBe(true);
    }
    const done = await logout({ ...fields, csrf: csrf! }, session.sid, 'POST');
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('http://shop.localhost:3001/?state=s1');
    expect(await alive(session.sid)).toBe(false);
  });

  it("RP-Initiated Logout 2 (CSRF): a hint for another user does not end the browser's session without confirmation", async () => {
    const { session } = await signedIn('victim');
    const { idToken: attackerHint, session: attacker } = await signedIn('attacker');
    const response = await logout({ id_token_hint: attackerHint }, session.sid);
    expectHtmlPage(response, 200);
    expect(await response.text()).toContain('Sign out?');
    expect(await alive(session.sid)).toBe(true);
    expect(await alive(attacker.sid)).toBe(true);
  });

  it('with no session at all: "You are signed out", or the registered redirect', async () => {
    const plain = await logout({});
    expectHtmlPage(plain, 200);
    expect(await plain.text()).toContain('You are signed out');
    const redirected = await logout({
      client_id: SHOP.id,
      post_logout_redirect_uri: SHOP.postLogoutRedirectUri,
    });
    expect(redirected.status).toBe(303);
    expect(redirected.headers.get('location')).toBe(SHOP.postLogoutRedirectUri);
  });

  it('an over-long or repeated parameter → error page', async () => {
    const { session } = await signedIn('overlong');
    expectHtmlPage(await logout({ state: 'x'.repeat(5000) }, session.sid), 400);
    expectHtmlPage(await logout({ state: 'x'.repeat(5000) }, session.sid, 'POST'), 400);
    const repeated = await fetch(`${idp.url}/logout?state=a&state=b`, { redirect: 'manual' });
    expectHtmlPage(repeated, 400);
    expect(await alive(session.sid)).toBe(true);
  });

  it('values are escaped in the confirmation page', async () => {
    const { session } = await signedIn('escape');
    const response = await logout({ state: '"><script>alert(1)</script>' }, session.sid);
    const page = await response.text();
    expect(page).not.toContain('<script>');
    expect(page).toContain('&quot;&gt;&lt;script&gt;');
  });
});
