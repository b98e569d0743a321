import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../store/memory-store.js';
import { timeStep, totpCodeAt, TOTP_PERIOD_S } from '../../mfa/totp-code.js';
import { authorizeUrl, createBrowser, signIn } from '../../test-support/browser.js';
import { claimsOf, redeem, SHOP, WIKI } from '../../test-support/grants.js';
import { freshTestDatabase } from '../../test-support/test-database.js';
import { sessionCookieFor, startTestIdp, type TestIdp } from '../../test-support/test-idp.js';

const ACR_MFA = 'urn:latchkey:acr:mfa';
const ESSENTIAL_MFA = JSON.stringify({ id_token: { acr: { essential: true, values: [ACR_MFA] } } });
const STEP_MS = TOTP_PERIOD_S * 1000;
const ALICE = { username: 'alice', password: 'wonderland-alice' };
const DAVE = { username: 'dave', password: 'granite-orchard-compass-17' };
const shop = { clientId: SHOP.id, redirectUri: SHOP.redirectUri };
const wiki = { clientId: WIKI.id, redirectUri: WIKI.redirectUri };

// Near the real time: the test browser drops cookies whose Expires has passed by its clock.
let clock = Math.floor(Date.now() / STEP_MS) * STEP_MS + 5_000;
const now = () => clock;
let idp: TestIdp;
let daveSecret: string;

beforeAll(async () => {
  const database = await freshTestDatabase();
  idp = await startTestIdp({}, createMemoryStore({ now }), { now, database });
  await idp.accounts.add({ ...DAVE, roles: ['user'] });
  const dave = (await idp.users.findByUsername('dave'))!;
  daveSecret = (await idp.secondFactors.beginTotp(dave))!.secret;
  if (!(await idp.secondFactors.confirmTotp(dave.id, nextCode())).ok) throw new Error('enrol');
}, 60_000);
afterAll(() => idp.close());

function nextCode(): string {
  clock += STEP_MS;
  return totpCodeAt(daveSecret, timeStep(now()));
}

/** GET /authorize for the wiki with `claims`, from `browser`; where it sends the browser. */
async function authorizeWiki(browser: ReturnType<typeof createBrowser>, claims: string) {
  const { url, state } = authorizeUrl(idp.url, { ...wiki, extra: { claims } });
  const response = await browser.fetch(url);
  const location = response.headers.get('location');
  return {
    response,
    state,
    request: url,
    location: location === null ? null : new URL(location, idp.url),
  };
}

const authorizeQuery = (url: URL) => Object.fromEntries(url.searchParams);

describe('OIDC Core §5.5.1.1: an essential acr in claims is treated as acr_values', () => {
  it('a password session asked for mfa through claims steps up in place and gets acr mfa', async () => {
    const browser = createBrowser();
    const dave = (await idp.users.findByUsername('dave'))!;
    const session = await idp.sessions.create({ sub: dave.id, username: 'dave' }, now());
    browser.setCookie(idp.url, 'latchkey_session', sessionCookieFor(idp, session.sid));

    const toStep = await authorizeWiki(browser, ESSENTIAL_MFA);
    expect(toStep.response.status).toBe(303);
    expect(toStep.location?.pathname).toBe('/login/second-factor');

    const result = await signIn(browser, idp.url, {
      ...wiki,
      extra: { claims: ESSENTIAL_MFA },
      secondFactor: () => nextCode(),
    });
    const answer = await redeem(
      idp,
      { code: result.code, verifier: result.verifier } as never,
      WIKI,
    );
    const claims = claimsOf(answer.json.id_token as string);
    expect(claims.acr).toBe(ACR_MFA);
    expect(claims.sid).toBe(session.sid);
  });

  it('a user with no second factor gets the clear page and no code, as with acr_values', async () => {
    const browser = createBrowser();
    await signIn(browser, idp.url, { ...shop, ...ALICE });
    const page = await authorizeWiki(browser, ESSENTIAL_MFA);
    expect(page.response.status).toBe(403);
    expect(page.location).toBeNull();
    const html = await page.response.text();
    expect(html).toContain('href="/account/two-factor"');
    // Signed in already: the account page opens beside this one, which offers to take the
    // same request again once a factor is set up (the step-up then asks for it).
    const retry = /href="([^"]*)" data-action="continue-after-set-up"/.exec(html)?.[1];
    expect(retry?.replaceAll('&amp;', '&')).toBe(
      `/authorize?${new URLSearchParams(authorizeQuery(page.request)).toString()}`,
    );
  });

  it('an essential acr naming only values we do not offer: access_denied to the client', async () => {
    const browser = createBrowser();
    await signIn(browser, idp.url, { ...shop, ...ALICE });
    const claims = JSON.stringify({
      id_token: { acr: { essential: true, values: ['urn:x:gold'] } },
    });
    const answer = await authorizeWiki(browser, claims);
    expect(answer.response.status).toBe(303);
    expect(answer.location?.searchParams.get('error')).toBe('access_denied');
    expect(answer.location?.searchParams.has('code')).toBe(false);
  });
});

describe('OIDC Core §5.5 / RFC 6749 §4.1.2.1: a malformed claims parameter is invalid_request', () => {
  it.each([
    ['not JSON', '{"id_token":{"acr":'],
    ['not an object', '["acr"]'],
    ['essential not a boolean', '{"id_token":{"acr":{"essential":"true"}}}'],
  ])('%s: an error to the redirect URI with state, no code', async (_name, claims) => {
    const answer = await authorizeWiki(createBrowser(), claims);
    expect(answer.response.status).toBe(303);
    expect(answer.location?.origin + answer.location!.pathname).toBe(WIKI.redirectUri);
    expect(answer.location?.searchParams.get('error')).toBe('invalid_request');
    expect(answer.location?.searchParams.get('error_description')).toMatch(/claims/);
    expect(answer.location?.searchParams.get('state')).toBe(answer.state);
    expect(answer.location?.searchParams.has('code')).toBe(false);
  });
});
