import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backChannelLogout, type BackChannelLogoutMiddlewareOptions } from './koa.js';
import type { BackChannelLogoutEvent } from './logout/back-channel-logout.js';
import { createFixture, type Fixture } from './test-support/fixture.js';
import {
  BAD_LOGOUT_TOKENS,
  errorOf,
  postHugeBody,
  postLogout,
} from './test-support/logout-requests.js';
import { logoutClaims, signLogout } from './test-support/logout-tokens.js';

/** The Koa back-channel logout middleware over real HTTP on loopback. */

let f: Fixture;
let server: Server | undefined;
let events: BackChannelLogoutEvent[];
let appErrors: unknown[];
beforeAll(async () => {
  f = await createFixture();
});
afterAll(() => f.idp.close());
beforeEach(() => {
  f.reset();
  // The handler runs on the real clock of the HTTP round trip; the tokens follow it.
  f.clock.ms = Date.now();
  events = [];
  appErrors = [];
});
afterEach(async () => {
  const running = server;
  server = undefined;
  if (!running) return;
  running.closeAllConnections();
  await new Promise((resolve) => running.close(resolve));
});

async function startApp(
  options: Partial<BackChannelLogoutMiddlewareOptions> = {},
  before?: Koa.Middleware,
): Promise<string> {
  const app = new Koa();
  app.silent = true;
  app.on('error', (error) => appErrors.push(error));
  if (before) app.use(before);
  app.use(
    backChannelLogout(f.verifier(), {
      onLogout: (event) => {
        events.push(event);
      },
      ...options,
    }),
  );
  app.use((ctx) => {
    ctx.body = 'next';
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server!.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('Koa backChannelLogout', () => {
  it('§2.8 (rp-backchannel-rpinitlogout): a valid logout token ends the session, 200, no-store', async () => {
    const url = await startApp();
    const token = await signLogout(f, logoutClaims(f, { sid: 'sid-9', sub: 'alice' }));
    const response = await postLogout(`${url}/backchannel-logout`, token);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('pragma')).toBe('no-cache');
    expect(events).toMatchObject([{ sub: 'alice', sid: 'sid-9', claims: { sid: 'sid-9' } }]);
  });

  it('passes a sub-only logout on without a sid', async () => {
    const url = await startApp();
    const token = await signLogout(f, logoutClaims(f, { sid: undefined, sub: 'alice' }));
    expect((await postLogout(`${url}/backchannel-logout`, token)).status).toBe(200);
    expect(events).toMatchObject([{ sub: 'alice', sid: undefined }]);
  });

  it.each(BAD_LOGOUT_TOKENS)(
    '§2.6: a logout token %s is answered 400 invalid_request, nothing ended',
    async (_name, build) => {
      const url = await startApp();
      const response = await postLogout(`${url}/backchannel-logout`, await build(f));
      expect(await errorOf(response)).toEqual({
        status: 400,
        cacheControl: 'no-store',
        error: 'invalid_request',
        description: 'string',
      });
      expect(events).toEqual([]);
    },
  );

  it('§2.6 step 8: a replayed logout token is answered 400', async () => {
    const url = await startApp();
    const token = await signLogout(f, logoutClaims(f));
    expect((await postLogout(`${url}/backchannel-logout`, token)).status).toBe(200);
    const again = await postLogout(`${url}/backchannel-logout`, token);
    expect(await errorOf(again)).toMatchObject({ status: 400, error: 'invalid_request' });
    expect(events).toHaveLength(1);
  });

  it('a body over 16 KiB is refused even when it carries a valid token', async () => {
    const url = await startApp();
    const token = await signLogout(f, logoutClaims(f));
    const padded = new URLSearchParams({ logout_token: token, pad: 'x'.repeat(16_384) });
    const response = await fetch(`${url}/backchannel-logout`, {
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
    const accepted = await fetch(`${url}/backchannel-logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: fits,
    });
    expect(accepted.status).toBe(200);
  });

  it.each([
    ['declared', true],
    ['streamed', false],
  ])('a 1 MiB body (%s) is answered 400, not read to the end', async (_name, declared) => {
    const url = await startApp();
    const response = await postHugeBody(`${url}/backchannel-logout`, declared);
    expect(await errorOf(response)).toMatchObject({ status: 400, cacheControl: 'no-store' });
    // The server is still there for the next request.
    const token = await signLogout(f, logoutClaims(f));
    expect((await postLogout(`${url}/backchannel-logout`, token)).status).toBe(200);
  });

  it.each([
    ['no logout_token', 'token=x'],
    ['two logout_tokens', 'logout_token=a&logout_token=b'],
    ['an empty logout_token', 'logout_token='],
  ])('a form with %s is answered 400', async (_name, body) => {
    const url = await startApp();
    const response = await fetch(`${url}/backchannel-logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    expect(await errorOf(response)).toMatchObject({ status: 400, error: 'invalid_request' });
  });

  it.each(['application/json', 'text/plain', 'application/x-www-form-urlencodedx'])(
    'a body of type %s is answered 400',
    async (type) => {
      const url = await startApp();
      const token = await signLogout(f, logoutClaims(f));
      const response = await postLogout(`${url}/backchannel-logout`, token, {
        headers: { 'content-type': type },
      });
      expect(await errorOf(response)).toMatchObject({ status: 400, error: 'invalid_request' });
      expect(events).toEqual([]);
    },
  );

  it('accepts a charset parameter on the form type', async () => {
    const url = await startApp();
    const token = await signLogout(f, logoutClaims(f));
    const response = await postLogout(`${url}/backchannel-logout`, token, {
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' },
    });
    expect(response.status).toBe(200);
  });

  it('§2.5: a GET is answered 405 with Allow: POST', async () => {
    const url = await startApp();
    const response = await fetch(`${url}/backchannel-logout`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('leaves other paths to the next middleware, and honours its own path', async () => {
    const url = await startApp({ path: '/oidc/logout' });
    expect(await (await fetch(`${url}/backchannel-logout`)).text()).toBe('next');
    const token = await signLogout(f, logoutClaims(f));
    expect((await postLogout(`${url}/oidc/logout`, token)).status).toBe(200);
  });

  it('an onLogout that throws is a 503 (the IdP retries), reported on app "error"', async () => {
    const url = await startApp({
      onLogout: () => Promise.reject(new Error('session store down')),
    });
    const response = await postLogout(
      `${url}/backchannel-logout`,
      await signLogout(f, logoutClaims(f)),
    );
    expect(await errorOf(response)).toMatchObject({
      status: 503,
      cacheControl: 'no-store',
      error: 'temporarily_unavailable',
    });
    expect(response.headers.get('retry-after')).toBe('5');
    expect(appErrors).toMatchObject([{ message: 'session store down' }]);
  });

  it('keys out of reach are a 503, not a 400 that would make the IdP give up', async () => {
    const url = await startApp();
    f.idp.mode = 'error500';
    const response = await postLogout(
      `${url}/backchannel-logout`,
      await signLogout(f, logoutClaims(f)),
    );
    expect(await errorOf(response)).toMatchObject({
      status: 503,
      error: 'temporarily_unavailable',
    });
    expect(events).toEqual([]);
  });

  it('works behind a body parser that already read the form', async () => {
    const parser: Koa.Middleware = async (ctx, next) => {
      const chunks: Buffer[] = [];
      for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      (ctx.request as { body?: unknown }).body = Object.fromEntries(form);
      await next();
    };
    const url = await startApp({}, parser);
    const token = await signLogout(f, logoutClaims(f, { sid: 'sid-p' }));
    expect((await postLogout(`${url}/backchannel-logout`, token)).status).toBe(200);
    expect(events).toMatchObject([{ sid: 'sid-p' }]);
    const bad = await postLogout(`${url}/backchannel-logout`, 'not-a-jwt');
    expect(await errorOf(bad)).toMatchObject({ status: 400, error: 'invalid_request' });
  });

  it('refuses bad options (TypeError)', () => {
    expect(() => backChannelLogout(f.verifier(), {} as never)).toThrow(TypeError);
    expect(() => backChannelLogout(f.verifier(), { onLogout() {}, path: 'x' })).toThrow(TypeError);
    expect(() => backChannelLogout(f.verifier(), { onLogout() {}, maxBodyBytes: 10 })).toThrow(
      TypeError,
    );
    expect(() => backChannelLogout({} as never, { onLogout() {} })).toThrow(TypeError);
  });
});
