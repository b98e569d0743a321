import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/config.js';
import { authorizeUrl, createBrowser } from '../../test-support/browser.js';
import { post, SHOP, WIKI } from '../../test-support/grants.js';
import { startTestIdp, type TestIdp } from '../../test-support/test-idp.js';

/** An IdP with REQUIRE_PAR=true: every client must push (RFC 9126 §5). */
let idp: TestIdp;
beforeAll(async () => {
  idp = await startTestIdp({ REQUIRE_PAR: 'true', RATE_LIMIT_TOKEN_PER_CLIENT: '3/1m' });
});
afterAll(() => idp.close());

describe('REQUIRE_PAR (RFC 9126 §5)', () => {
  it('is false unless set, true with REQUIRE_PAR=true, and stops start-up on anything else', () => {
    expect(loadConfig({}).requirePar).toBe(false);
    expect(loadConfig({ REQUIRE_PAR: 'true' }).requirePar).toBe(true);
    try {
      loadConfig({ REQUIRE_PAR: 'yes' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual(['REQUIRE_PAR: must be true or false']);
    }
  });

  it('RFC 9126 5: discovery says every client must push', async () => {
    const metadata = (await (
      await fetch(`${idp.url}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      pushed_authorization_request_endpoint: 'http://idp.localhost:4000/par',
      require_pushed_authorization_requests: true,
    });
  });

  it('RFC 9126 5: a plain /authorize is refused with invalid_request', async () => {
    const { url, state } = authorizeUrl(idp.url, {
      clientId: SHOP.id,
      redirectUri: SHOP.redirectUri,
    });
    const response = await createBrowser().fetch(url);
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location')!);
    expect(location.origin + location.pathname).toBe(SHOP.redirectUri);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('state')).toBe(state);
  });

  it('RFC 9126 5: the same request pushed first goes through', async () => {
    const { url } = authorizeUrl(idp.url, { clientId: SHOP.id, redirectUri: SHOP.redirectUri });
    const pushed = await post(idp, '/par', Object.fromEntries(url.searchParams), {
      Authorization: SHOP.auth,
    });
    expect(pushed.status).toBe(201);
    const authorize = new URL('/authorize', idp.url);
    authorize.searchParams.set('client_id', SHOP.id);
    authorize.searchParams.set('request_uri', pushed.json.request_uri as string);
    const response = await createBrowser().fetch(authorize);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(/^\/login\?/);
  });

  it('is rate-limited per client as /token is (429, temporarily_unavailable, Retry-After)', async () => {
    const { url } = authorizeUrl(idp.url, { clientId: WIKI.id, redirectUri: WIKI.redirectUri });
    const params = Object.fromEntries(url.searchParams);
    const answers = [];
    for (let i = 0; i < 4; i++) {
      answers.push(await post(idp, '/par', params, { Authorization: WIKI.auth }));
    }
    expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201, 429]);
    expect(answers[3]?.json.error).toBe('temporarily_unavailable');
    expect(answers[3]?.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});
