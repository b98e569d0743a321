import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BackChannelLogoutEvent } from '../logout/back-channel-logout.js';
import { createFixture, type Fixture } from '../test-support/fixture.js';
import {
  BAD_LOGOUT_TOKENS,
  errorOf,
  postHugeBody,
  postLogout,
} from '../test-support/logout-requests.js';
import { logoutClaims, signLogout } from '../test-support/logout-tokens.js';
import { serveWebHandler, type WebHandlerServer } from '../test-support/web-handler-server.js';
import { createBackChannelLogoutRoute } from './back-channel-route.js';

/** The Next.js back-channel logout route handler, served over real HTTP on loopback. */

let f: Fixture;
let served: WebHandlerServer | undefined;
let events: BackChannelLogoutEvent[];
let warnings: [string, unknown][];
beforeAll(async () => {
  f = await createFixture();
});
afterAll(() => f.idp.close());
beforeEach(() => {
  f.reset();
  f.clock.ms = Date.now();
  events = [];
  warnings = [];
});
afterEach(async () => {
  await served?.close();
  served = undefined;
});

async function start(
  onLogout: (event: BackChannelLogoutEvent) => void | Promise<void> = (event) => {
    events.push(event);
  },
): Promise<string> {
  const route = createBackChannelLogoutRoute(
    f.verifier(),
    { onLogout },
    { warn: (event, fields) => warnings.push([event, fields]) },
  );
  served = await serveWebHandler(route);
  return `${served.url}/auth/backchannel-logout`;
}

describe('Next back-channel logout route', () => {
  it('§2.8 (rp-backchannel-rpinitlogout): a valid logout token ends the session, 200, no-store', async () => {
    const url = await start();
    const token = await signLogout(f, logoutClaims(f, { sid: 'sid-7' }));
    const response = await postLogout(url, token);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('pragma')).toBe('no-cache');
    expect(await response.text()).toBe('');
    expect(events).toMatchObject([{ sub: 'user-1', sid: 'sid-7' }]);
  });

  it.each(BAD_LOGOUT_TOKENS)(
    '§2.6: a logout token %s is answered 400 invalid_request, nothing ended',
    async (_name, build) => {
      const url = await start();
      expect(await errorOf(await postLogout(url, await build(f)))).toEqual({
        status: 400,
        cacheControl: 'no-store',
        error: 'invalid_request',
        description: 'string',
      });
      expect(events).toEqual([]);
    },
  );

  it('§2.6 step 8: a replayed logout token is answered 400', async () => {
    const url = await start();
    const token = await signLogout(f, logoutClaims(f));
    expect((await postLogout(url, token)).status).toBe(200);
    expect(await errorOf(await postLogout(url, token))).toMatchObject({
      status: 400,
      error: 'invalid_request',
    });
    expect(events).toHaveLength(1);
  });

  it('a body over 16 KiB is refused even when it carries a valid token', async () => {
    const url = await start();
    const token = await signLogout(f, logoutClaims(f));
    const padded = new URLSearchParams({ logout_token: token, pad: 'x'.repeat(16_384) });
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: padded,
    });
    expect(await errorOf(response)).toMatchObject({ status: 400, error: 'invalid_request' });
    expect(events).toEqual([]);
    // Just under the cap, the same token goes through.
    const fits = new URLSearchParams({
      logout_token: token,
      pad: 'x'.repeat(16_000 - token.length),
    });
    const accepted = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: fits,
    });
    expect(accepted.status).toBe(200);
  });

  it.each([
    ['declared', true],
    ['streamed', false],
  ])('a 1 MiB body (%s) is answered 400 and the server stays up', async (_name, declared) => {
    const url = await start();
    expect(await errorOf(await postHugeBody(url, declared))).toMatchObject({
      status: 400,
      cacheControl: 'no-store',
    });
    expect((await postLogout(url, await signLogout(f, logoutClaims(f)))).status).toBe(200);
  });

  it('a body that is not a form is answered 400', async () => {
    const url = await start();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ logout_token: await signLogout(f, logoutClaims(f)) }),
    });
    expect(await errorOf(response)).toMatchObject({ status: 400, error: 'invalid_request' });
    expect(events).toEqual([]);
  });

  it('§2.5: a GET is answered 405 with Allow: POST', async () => {
    const url = await start();
    const response = await fetch(url);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it('an onLogout that throws is a 503, logged without the token', async () => {
    const url = await start(() => {
      throw new Error('store down');
    });
    const token = await signLogout(f, logoutClaims(f));
    expect(await errorOf(await postLogout(url, token))).toMatchObject({
      status: 503,
      error: 'temporarily_unavailable',
    });
    expect(warnings).toEqual([['back-channel logout failed', { message: 'store down' }]]);
    expect(JSON.stringify(warnings)).not.toContain(token);
  });
});
