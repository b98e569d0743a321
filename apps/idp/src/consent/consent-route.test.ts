import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsentGrants, type ConsentGrants } from './consent-grants.js';
import { createTestUser, fieldValue } from '../test-support/account-flows.js';
import { decideDevice } from '../test-support/device-approval.js';
import {
  authorizeUrl,
  createBrowser,
  loginFormFields,
  type Browser,
} from '../test-support/browser.js';
import { ISSUER, post, redeem, refresh, SHOP } from '../test-support/grants.js';
import { basicAuth, startTestIdp, type TestIdp } from '../test-support/test-idp.js';

/** The demo's third-party client (apps/idp/demo/clients.json). */
const PARTNER = {
  id: 'partner',
  clientId: 'partner',
  auth: basicAuth('partner', 'partner-demo-secret'),
  redirectUri: 'http://partner.localhost:3020/auth/callback',
};

let idp: TestIdp;
let grants: ConsentGrants;
beforeAll(async () => {
  idp = await startTestIdp();
  grants = createConsentGrants(idp.database);
});
afterAll(() => idp.close());

type Person = Awaited<ReturnType<typeof createTestUser>>;

interface Attempt {
  response: Response;
  state: string;
  verifier: string;
  /** Where the answer sends the browser, if it is a redirect. */
  location: URL | null;
}

/**
 * GET /authorize for `client`, through the login form when the IdP asks for it: the answer
 * that follows (a redirect to the client, or the consent page).
 */
async function authorize(
  browser: Browser,
  person: Person,
  options: { scope?: string; extra?: Record<string, string>; client?: typeof PARTNER } = {},
): Promise<Attempt> {
  const client = options.client ?? PARTNER;
  const { url, state, verifier } = authorizeUrl(idp.url, {
    clientId: client.clientId,
    redirectUri: client.redirectUri,
    scope: options.scope ?? 'openid profile',
    ...(options.extra && { extra: options.extra }),
  });
  let response = await browser.fetch(url);
  let location = locationOf(response);
  if (location?.pathname === '/login') {
    const page = await browser.fetch(location);
    const fields = loginFormFields(await page.text());
    response = await browser.post(new URL('/login', idp.url), {
      ...fields,
      username: person.username,
      password: person.password,
    });
    location = locationOf(response);
  }
  return { response, state, verifier, location };
}

function locationOf(response: Response): URL | null {
  const location = response.headers.get('location');
  return location === null ? null : new URL(location, idp.url);
}

/** The consent page's form fields, after checking it is the consent page. */
async function consentForm(
  attempt: Attempt,
): Promise<{ html: string; authz: string; csrf: string }> {
  expect(attempt.response.status).toBe(200);
  const html = await attempt.response.text();
  expect(html).toContain('action="/consent"');
  return { html, authz: fieldValue(html, 'authz'), csrf: fieldValue(html, 'csrf') };
}

/** Posts a consent answer (the page's HTML, when spread in with the fields, is left out). */
function answer(browser: Browser, fields: Record<string, string>): Promise<Response> {
  const posted = Object.entries(fields).filter(([name]) => name !== 'html');
  return browser.post(new URL('/consent', idp.url), Object.fromEntries(posted));
}

/** A redirect back to the client with `error`, `state` and `iss` (RFC 6749 §4.1.2.1, RFC 9207). */
function expectClientError(response: Response, error: string, state: string) {
  expect(response.status).toBe(303);
  const location = locationOf(response)!;
  expect(location.origin + location.pathname).toBe(PARTNER.redirectUri);
  expect(location.searchParams.get('error')).toBe(error);
  expect(location.searchParams.get('state')).toBe(state);
  expect(location.searchParams.get('iss')).toBe(ISSUER);
  expect(location.searchParams.has('code')).toBe(false);
}

/** A code sent back to the client; returns it. */
function expectCode(response: Response, state: string, redirectUri = PARTNER.redirectUri): string {
  expect(response.status).toBe(303);
  const location = locationOf(response)!;
  expect(location.origin + location.pathname).toBe(redirectUri);
  expect(location.searchParams.get('state')).toBe(state);
  expect(location.searchParams.get('iss')).toBe(ISSUER);
  return location.searchParams.get('code')!;
}

/** Signs `person` in and allows the partner `scope`; the browser and the redeemed tokens. */
async function allowPartner(person: Person, scope = 'openid profile') {
  const browser = createBrowser();
  const attempt = await authorize(browser, person, { scope });
  const form = await consentForm(attempt);
  const allowed = await answer(browser, { ...form, decision: 'allow', lang: 'en' });
  const code = expectCode(allowed, attempt.state);
  const tokens = await redeem(idp, { code, verifier: attempt.verifier } as never, PARTNER);
  expect(tokens.status).toBe(200);
  return { browser, tokens: tokens.json as Record<string, string> };
}

describe('consent for a third-party client (first_party: false)', () => {
  it('the first authorization shows the consent page: the client, the account, each scope in words', async () => {
    const person = await createTestUser(idp, { prefix: 'consent' });
    const attempt = await authorize(createBrowser(), person, { scope: 'openid profile' });
    const { html } = await consentForm(attempt);
    expect(html).toContain('Partner Calendar');
    expect(html).toContain(person.username);
    expect(html).toContain('know who you are');
    expect(html).toContain('see your name and username');
    expect(html).not.toContain('see your email address');
    expect(html).toContain('<button type="submit" name="decision" value="allow"');
    expect(html).toContain('name="decision" value="deny"');
    expect(attempt.response.headers.get('cache-control')).toBe('no-store');
    expect(attempt.response.headers.get('content-security-policy')).toContain(
      "frame-ancestors 'none'",
    );
  });

  it('speaks the language ui_locales asks for (zh-CN)', async () => {
    const person = await createTestUser(idp, { prefix: 'consent' });
    const attempt = await authorize(createBrowser(), person, { extra: { ui_locales: 'zh-CN' } });
    const { html } = await consentForm(attempt);
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('查看您的姓名和用户名');
    expect(html).toContain('允许');
  });

  it('allow issues a code that redeems, and remembers the grant for this user and client', async () => {
    const person = await createTestUser(idp, { prefix: 'consent' });
    await allowPartner(person);
    const grant = await grants.find(person.id, 'partner');
    expect(grant?.scopes).toEqual(['openid', 'profile']);
    const [event] = await idp.audit.list({ type: 'consent.granted', subject: person.id }, 5);
    expect(event).toMatchObject({ type: 'consent.granted', client: 'partner' });
  });

  it('a remembered grant is not asked again, for the same or fewer scopes', async () => {
    const person = await createTestUser(idp, { prefix: 'consent' });
    const { browser } = await allowPartner(person, 'openid profile');
    const same = await authorize(browser, person, { scope: 'openid profile' });
    expectCode(same.response, same.state);
    const fewer = await authorize(browser, person, { scope: 'openid' });
    expectCode(fewer.response, fewer.state);
  });

  it('a new scope asks again, listing the scopes, and allowing adds it to the grant', async () => {
    const person = await createTestUser(idp, { prefix: 'consent' });
    const { browser } = await allowPartner(person, 'openid profile');
    const wider = await authorize(browser, person, { scope: 'openid profile email' });
    const form = await consentForm(wider);
    expect(form.html).toContain('see your email address');
    expect(form.html).toContain('see your name and username');
    expectCode(await answer(browser, { ...form, decision: 'allow' }), wider.state);
    expect((await grants.find(person.id, 'partner'))?.scopes).toEqual([
      'email',
      'openid',
      'profile',
    ]);
  });

  it('OIDC Core 3.1.2.1: prompt=consent asks even when the grant is remembered', async () => {
    const person = await createTestUser(idp, { prefix: 'consent' });
    const { browser } = await allowPartner(person);
    const asked = await authorize(browser, person, { extra: { prompt: 'consent' } });
    const form = await consentForm(asked);
    expectCode(await answer(browser, { ...form, decision: 'allow' }), asked.state);
  });

  it('OIDC Core 3.1.2.6: prompt=none without a grant answers consent_required with state', async () => {
    const person = await createTestUser(idp, { prefix: 'consent' });
    const browser = createBrowser();
    // A session first (through the shop, a first-party client: no consent there).
    const shop = await authorize(browser, person, {
      client: { ...PARTNER, clientId: SHOP.id, redirectUri: SHOP.redirectUri },
    });
    expectCode(shop.response, shop.state, SHOP.redirectUri);
    const silent = await authorize(browser, person, { extra: { prompt: 'none' } });
    expectClientError(silent.response, 'consent_required', silent.state);
  });

  it('OIDC Core 3.1.2.6: prompt=none with a covering grant issues the code', async () => {
    const person = await createTestUser(idp, { prefix: 'consent' });
    const { browser } = await allowPartner(person);
    const silent = await authorize(browser, person, { extra: { prompt: 'none' } });
    expectCode(silent.response, silent.state);
  });

  it('RFC 6749 4.1.2.1: deny sends access_denied with state and iss, and remembers nothing', async () => {
    const person = await createTestUser(idp, { prefix: 'consent' });
    const browser = createBrowser();
    const attempt = await authorize(browser, person);
    const form = await consentForm(attempt);
    expectClientError(
      await answer(browser, { ...form, decision: 'deny' }),
      'access_denied',
      attempt.state,
    );
    expect(await grants.find(person.id, 'partner')).toBeNull();
    const [event] = await idp.audit.list({ type: 'consent.denied', subject: person.id }, 5);
    expect(event).toMatchObject({ type: 'consent.denied', client: 'partner' });
  });

  it('a first-party client is never asked', async () => {
    const person = await createTestUser(idp, { prefix: 'consent' });
    const shop = await authorize(createBrowser(), person, {
      client: { ...PARTNER, clientId: SHOP.id, redirectUri: SHOP.redirectUri },
      extra: { prompt: 'consent' },
    });
    expectCode(shop.response, shop.state, SHOP.redirectUri);
  });
});

describe('consent forms that must not count', () => {
  it('a form without its CSRF token is refused with a page (403), nothing granted', async () => {
    const person = await createTestUser(idp, { prefix: 'consent' });
    const browser = createBrowser();
    const form = await consentForm(await authorize(browser, person));
    for (const csrf of ['', 'C'.repeat(43), `${form.csrf}x`]) {
      const refused = await answer(browser, { authz: form.authz, csrf, decision: 'allow' });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await refused.text()).toContain('could not be confirmed');
    }
    expect((await answer(browser, { authz: form.authz, decision: 'allow' })).status).toBe(403);
    expect(await grants.find(person.id, 'partner')).toBeNull();
    // The page shown is still answerable by its own browser.
    const attempt = await answer(browser, { ...form, decision: 'allow' });
    expect(attempt.status).toBe(303);
  });

  it("a form from another session (another browser's own valid token) is refused (403)", async () => {
    const victim = await createTestUser(idp, { prefix: 'consent' });
    const attacker = await createTestUser(idp, { prefix: 'consent' });
    const victimBrowser = createBrowser();
    const victimForm = await consentForm(await authorize(victimBrowser, victim));
    const attackerBrowser = createBrowser();
    const attackerForm = await consentForm(await authorize(attackerBrowser, attacker));
    const crossed = await answer(attackerBrowser, {
      authz: victimForm.authz,
      csrf: attackerForm.csrf,
      decision: 'allow',
    });
    expect(crossed.status).toBe(403);
    // Nor does a browser without any session get anywhere with the victim's fields.
    const anonymous = await answer(createBrowser(), { ...victimForm, decision: 'allow' });
    expect(anonymous.status).toBe(403);
    expect(await grants.find(victim.id, 'partner')).toBeNull();
    expect(await grants.find(attacker.id, 'partner')).toBeNull();
  });

  it('a cross-origin form is refused (403)', async () => {
    const person = await createTestUser(idp, { prefix: 'consent' });
    const browser = createBrowser();
    const form = await consentForm(await authorize(browser, person));
    const foreign = await browser.fetch(new URL('/consent', idp.url), {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Origin: 'http://attacker.localhost:9999',
      },
      body: new URLSearchParams({ authz: form.authz, csrf: form.csrf, decision: 'allow' }),
    });
    expect(foreign.status).toBe(403);
  });

  it('an answer given twice, an unknown authz and an unknown decision get a page (400), never a 500', async () => {
    const person = await createTestUser(idp, { prefix: 'consent' });
    const browser = createBrowser();
    const attempt = await authorize(browser, person);
    const form = await consentForm(attempt);
    expect((await answer(browser, { ...form, decision: 'maybe' })).status).toBe(400);
    expect((await answer(browser, { ...form, decision: 'allow' })).status).toBe(303);
    expect((await answer(browser, { ...form, decision: 'allow' })).status).toBe(400);
    expect(
      (await answer(browser, { ...form, authz: 'A'.repeat(43), decision: 'allow' })).status,
    ).toBe(400);
    expect((await answer(browser, { ...form, authz: '', decision: 'allow' })).status).toBe(400);
    const doubled = await browser.post(
      new URL('/consent', idp.url),
      new URLSearchParams([
        ['decision', 'allow'],
        ['decision', 'deny'],
        ['authz', form.authz],
      ]) as never,
    );
    expect(doubled.status).toBeLessThan(500);
  });

  it('a scope posted with the form is ignored: only the pending request is granted', async () => {
    const person = await createTestUser(idp, { prefix: 'consent' });
    const browser = createBrowser();
    const attempt = await authorize(browser, person, { scope: 'openid' });
    const form = await consentForm(attempt);
    const allowed = await answer(browser, {
      ...form,
      decision: 'allow',
      scope: 'openid profile email offline_access',
    });
    expectCode(allowed, attempt.state);
    expect((await grants.find(person.id, 'partner'))?.scopes).toEqual(['openid']);
  });

  it('a scope the client may not request is refused: invalid_scope at /authorize, and at the form once the client lost it', async () => {
    const person = await createTestUser(idp, { prefix: 'consent' });
    const by = { actor: { kind: 'operator' as const, id: 'consent-test' } };
    const { client, secret } = await idp.clientService.register(
      {
        client_name: 'Calendar Sync',
        first_party: false,
        grant_types: ['authorization_code'],
        redirect_uris: [PARTNER.redirectUri],
        scope: 'calendar',
        resources: ['http://wiki.localhost:3002/api'],
      },
      by,
    );
    expect(secret).toBeTruthy();
    const sync = { ...PARTNER, id: client.id, clientId: client.id };
    const browser = createBrowser();
    const notAllowed = await authorize(browser, person, { client: sync, scope: 'openid contacts' });
    expectClientError(notAllowed.response, 'invalid_scope', notAllowed.state);

    const attempt = await authorize(browser, person, { client: sync, scope: 'openid calendar' });
    const form = await consentForm(attempt);
    expect(form.html).toContain('use “calendar”');
    await idp.clientService.update(client.id, { scope: null }, by);
    const refused = await answer(browser, { ...form, decision: 'allow' });
    expectClientError(refused, 'invalid_scope', attempt.state);
    expect(await grants.find(person.id, client.id)).toBeNull();
  });
});

describe('Remove access (the account page)', () => {
  it("deletes the grant, ends that client's refresh tokens for the user, keeps the others', and the next login asks again", async () => {
    const person = await createTestUser(idp, { prefix: 'consent' });
    const { browser, tokens: partnerTokens } = await allowPartner(person);
    // The same user's first-party tokens, in the same browser session.
    const shop = await authorize(browser, person, {
      client: { ...PARTNER, clientId: SHOP.id, redirectUri: SHOP.redirectUri },
    });
    const shopCode = expectCode(shop.response, shop.state, SHOP.redirectUri);
    const shopTokens = await redeem(
      idp,
      { code: shopCode, verifier: shop.verifier } as never,
      SHOP,
    );
    expect(shopTokens.status).toBe(200);
    // Another user's partner tokens stay too.
    const other = await createTestUser(idp, { prefix: 'consent' });
    const { tokens: otherTokens } = await allowPartner(other);

    const account = await browser.fetch(new URL('/account', idp.url));
    const html = await account.text();
    expect(html).toContain('Apps with access');
    expect(html).toContain('Partner Calendar');
    expect(html).toContain('data-action="remove-access"');
    const csrf = fieldValue(html, 'csrf');
    const removed = await browser.post(new URL('/account/apps/remove', idp.url), {
      csrf,
      lang: 'en',
      client: 'partner',
    });
    expect(removed.status).toBe(303);
    expect(removed.headers.get('location')).toBe('/account?done=access-removed#apps');
    expect(await grants.find(person.id, 'partner')).toBeNull();
    const after = await (
      await browser.fetch(new URL('/account?done=access-removed', idp.url))
    ).text();
    expect(after).not.toContain('data-client="partner"');
    expect(after).toContain('Access removed');

    const refused = await refresh(idp, partnerTokens.refresh_token!, PARTNER);
    expect(refused.status).toBe(400);
    expect(refused.json.error).toBe('invalid_grant');
    const stillShop = await refresh(
      idp,
      (shopTokens.json as Record<string, string>).refresh_token!,
      SHOP,
    );
    expect(stillShop.status).toBe(200);
    const stillOther = await refresh(idp, otherTokens.refresh_token!, PARTNER);
    expect(stillOther.status).toBe(200);
    const [event] = await idp.audit.list({ type: 'consent.revoked', subject: person.id }, 5);
    expect(event).toMatchObject({ client: 'partner' });

    const next = await authorize(browser, person);
    await consentForm(next);
  });

  it('a refresh token rotated before the removal is ended too', async () => {
    const person = await createTestUser(idp, { prefix: 'consent' });
    const { browser, tokens } = await allowPartner(person);
    const rotated = await refresh(idp, tokens.refresh_token!, PARTNER);
    expect(rotated.status).toBe(200);
    const html = await (await browser.fetch(new URL('/account', idp.url))).text();
    await browser.post(new URL('/account/apps/remove', idp.url), {
      csrf: fieldValue(html, 'csrf'),
      client: 'partner',
    });
    const refused = await refresh(idp, rotated.json.refresh_token as string, PARTNER);
    expect(refused.json.error).toBe('invalid_grant');
  });

  it('without the CSRF token nothing is removed (403)', async () => {
    const person = await createTestUser(idp, { prefix: 'consent' });
    const { browser } = await allowPartner(person);
    const refused = await browser.post(new URL('/account/apps/remove', idp.url), {
      client: 'partner',
    });
    expect(refused.status).toBe(403);
    expect(await grants.find(person.id, 'partner')).not.toBeNull();
    // A client the user never allowed, or no client at all: the same quiet outcome.
    const html = await (await browser.fetch(new URL('/account', idp.url))).text();
    for (const client of ['shop', 'no-such', '']) {
      const answered = await browser.post(new URL('/account/apps/remove', idp.url), {
        csrf: fieldValue(html, 'csrf'),
        client,
      });
      expect(answered.status).toBe(303);
    }
    expect(await grants.find(person.id, 'partner')).not.toBeNull();
  });
});

describe('the device confirmation is a consent too', () => {
  it("allowing a third-party device remembers its scopes: the same user's browser login is not asked again", async () => {
    const by = { actor: { kind: 'operator' as const, id: 'consent-test' } };
    const { client } = await idp.clientService.register(
      {
        client_name: 'Partner TV',
        first_party: false,
        token_endpoint_auth_method: 'none',
        grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'authorization_code'],
        redirect_uris: [PARTNER.redirectUri],
        resources: ['http://wiki.localhost:3002/api'],
      },
      by,
    );
    const started = await post(idp, '/device_authorization', {
      client_id: client.id,
      scope: 'openid profile',
    });
    expect(started.status).toBe(200);
    const browser = createBrowser();
    await decideDevice(browser, idp.url, started.json.verification_uri_complete as string, 'allow');
    const alice = (await idp.users.findByUsername('alice'))!;
    expect((await grants.find(alice.id, client.id))?.scopes).toEqual(['openid', 'profile']);
    const tv = { ...PARTNER, id: client.id, clientId: client.id };
    const later = await authorize(browser, { ...alice, password: '' }, { client: tv });
    expectCode(later.response, later.state);
  });
});
