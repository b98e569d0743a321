import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { requireBearer, type BearerState, type RequireBearerOptions } from './koa.js';
import { createFixture, type Fixture } from './test-support/fixture.js';
import { sign } from './test-support/keys.js';

let f: Fixture;
let server: Server | undefined;
beforeAll(async () => {
  f = await createFixture();
});
afterAll(() => f.idp.close());
beforeEach(() => f.reset());
afterEach(async () => {
  const running = server;
  server = undefined;
  if (!running) return;
  running.closeAllConnections();
  await new Promise((resolve) => running.close(resolve));
});

/** A Koa app on 127.0.0.1:0 with the middleware in front of a route echoing the claims. */
async function startApp(options?: RequireBearerOptions, fail = false): Promise<string> {
  const app = new Koa<BearerState>();
  app.silent = true;
  app.use(requireBearer(f.verifier(), options));
  app.use((ctx) => {
    if (fail) throw new Error('downstream failure');
    ctx.body = { sub: ctx.state.auth.sub };
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server!.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

const withAuth = (authorization: string): RequestInit => ({ headers: { authorization } });

async function expectError(response: Response, status: number, error: string): Promise<void> {
  expect(response.status).toBe(status);
  expect(response.headers.get('cache-control')).toBe('no-store');
  const body = (await response.json()) as Record<string, unknown>;
  expect(body.error).toBe(error);
  expect(typeof body.error_description).toBe('string');
}

describe('requireBearer', () => {
  it('accepts a good token and puts the claims at ctx.state.auth', async () => {
    const url = await startApp();
    const token = await sign(f.keys.es256, f.accessClaims());
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const response = await fetch(url, withAuth(`${scheme} ${token}`));
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ sub: 'user-1' });
    }
  });

  it.each([
    ['no Authorization header', undefined],
    ['another scheme', 'Basic dXNlcjpwdw=='],
  ])('challenges %s with 401 and no error attribute', async (_name, authorization) => {
    const url = await startApp({ realm: 'orders' });
    const response = await fetch(url, authorization ? withAuth(authorization) : {});
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="orders"');
    await expectError(response, 401, 'invalid_request');
  });

  it('never reads the token from the query string', async () => {
    const url = await startApp();
    const token = await sign(f.keys.es256, f.accessClaims());
    const response = await fetch(`${url}?access_token=${token}`);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="api"');
    await expectError(response, 401, 'invalid_request');
  });

  it('answers 400 invalid_request for a Bearer header that is not a b64token', async () => {
    const url = await startApp();
    const response = await fetch(url, withAuth('Bearer a b'));
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_request"');
    await expectError(response, 400, 'invalid_request');
  });

  it.each([
    ['garbage', () => Promise.resolve('garbage')],
    ['expired', () => sign(f.keys.es256, f.accessClaims({ exp: 1 }))],
    ['forged', () => sign(f.keys.rogue, f.accessClaims(), { kid: 'es-1' })],
  ])('answers 401 invalid_token for a %s token, without echoing it', async (_name, make) => {
    const url = await startApp();
    const token = await make();
    const response = await fetch(url, withAuth(`Bearer ${token}`));
    const challenge = response.headers.get('www-authenticate')!;
    expect(challenge).toMatch(
      /^Bearer realm="api", error="invalid_token", error_description="[^"]+"$/,
    );
    expect(challenge).not.toContain(token);
    const text = await response.clone().text();
    expect(text).not.toContain(token);
    await expectError(response, 401, 'invalid_token');
  });

  it('answers 403 insufficient_scope naming the required scope', async () => {
    const url = await startApp({ scope: 'read admin' });
    const token = await sign(f.keys.es256, f.accessClaims({ scope: 'read write' }));
    const response = await fetch(url, withAuth(`Bearer ${token}`));
    const challenge = response.headers.get('www-authenticate')!;
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain('scope="read admin"');
    await expectError(response, 403, 'insufficient_scope');
  });

  it('passes a token holding every required scope', async () => {
    const url = await startApp({ scope: ['read', 'write'] });
    const token = await sign(f.keys.es256, f.accessClaims({ scope: 'write read' }));
    expect((await fetch(url, withAuth(`Bearer ${token}`))).status).toBe(200);
  });

  it('answers 503 with Retry-After when the JWKS is down', async () => {
    f.idp.mode = 'error500';
    const url = await startApp();
    const token = await sign(f.keys.es256, f.accessClaims());
    const response = await fetch(url, withAuth(`Bearer ${token}`));
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(response.headers.get('www-authenticate')).toBeNull();
    await expectError(response, 503, 'temporarily_unavailable');
  });

  it('does not turn errors from later middleware into 401', async () => {
    const url = await startApp(undefined, true);
    const token = await sign(f.keys.es256, f.accessClaims());
    expect((await fetch(url, withAuth(`Bearer ${token}`))).status).toBe(500);
  });

  it.each<[string, RequireBearerOptions]>([
    ['a realm with a quote', { realm: 'a"b' }],
    ['an empty scope', { scope: '' }],
    ['a scope with a quote', { scope: ['a"b'] }],
  ])('rejects %s with a TypeError', (_name, options) => {
    expect(() => requireBearer(f.verifier(), options)).toThrow(TypeError);
  });
});
