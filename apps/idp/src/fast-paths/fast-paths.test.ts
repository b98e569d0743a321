import { Router } from '@koa/router';
import type { Middleware } from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { createClientRegistry } from '../clients/client.js';
import { loadClientsFile } from '../clients/load-clients.js';
import { loadConfig } from '../config/config.js';
import { createIdp, type Idp } from '../idp.js';
import { silentLogger } from '../logger.js';
import { sharedTestDatabase } from '../test-support/test-database.js';
import { createMemoryStore } from '../store/memory-store.js';
import { basicAuth, form } from '../test-support/test-idp.js';
import { EVERY_REQUEST } from './every-request.js';
import { JWKS_FAST_PATH_STEPS } from './jwks-fast-path.js';
import { assertRoutesOnly } from './token-fast-path.js';
import { comparableAnswer, loopbackServers } from '../test-support/loopback-servers.js';

/**
 * The fast paths must answer what the router answers behind the every-request steps: the same
 * IdP is served by its own handler (both fast paths on) and by a Koa app built from the same
 * parts with them off. A step that a fast path skips shows up as a header or body that differs.
 */
let idp: Idp;
const servers = loopbackServers();
let fast: string;
let routed: string;

beforeAll(async () => {
  // https: the security headers then include HSTS, one more header to lose.
  const config = loadConfig({ ISSUER: 'https://idp.localhost', KEY_ROTATION_INTERVAL: '1h' });
  const clients = createClientRegistry(
    await loadClientsFile(config.clientsFile, { production: false }),
  );
  const store = createMemoryStore();
  const database = await sharedTestDatabase();
  idp = createIdp(config, { store, database, clients, logger: silentLogger });
  await idp.keys.start();
  const { keys, sessions, revoker, users, accounts } = idp;
  const routerOnly = createApp({
    config,
    store,
    database,
    keys,
    clients,
    logger: silentLogger,
    sessions,
    revoker,
    users,
    accounts,
    fastPaths: false,
  });
  fast = await servers.listen(idp.handler);
  routed = await servers.listen(routerOnly.callback());
});
afterAll(async () => {
  await servers.closeAll();
  await idp.keys.stop();
});

const REPORTS = basicAuth('reports', 'reports-demo-secret');
const post = (body: string, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
  body,
});

describe('the fast paths take every step the router answer takes', () => {
  it('answers GET and HEAD /jwks (200, 304) as the router does', async () => {
    const etag = idp.keys.jwks().etag;
    const cases: RequestInit[] = [{}, { method: 'HEAD' }, { headers: { 'If-None-Match': etag } }];
    for (const init of cases) {
      expect(await comparableAnswer(fast, '/jwks', init)).toEqual(
        await comparableAnswer(routed, '/jwks', init),
      );
    }
  });

  it('answers POST /token failures as the router does (error mapping, headers)', async () => {
    const cases: RequestInit[] = [
      { method: 'POST' },
      post(form({ grant_type: 'password' }).toString()),
      post(form({ grant_type: 'client_credentials' }).toString(), {
        Authorization: basicAuth('reports', 'wrong'),
      }),
      post('a'.repeat(17 * 1024)),
    ];
    for (const init of cases) {
      const viaFastPath = await comparableAnswer(fast, '/token', init);
      expect(viaFastPath.status).toBeGreaterThanOrEqual(400);
      expect(viaFastPath).toEqual(await comparableAnswer(routed, '/token', init));
    }
  });

  it('answers a POST /token grant with the router’s status, headers and fields', async () => {
    const init = post(form({ grant_type: 'client_credentials' }).toString(), {
      Authorization: REPORTS,
    });
    const [viaFastPath, viaRouter] = [
      await comparableAnswer(fast, '/token', init),
      await comparableAnswer(routed, '/token', init),
    ];
    expect(viaFastPath.status).toBe(200);
    // The tokens differ (new jti, new times); every header and field name must not.
    const withoutLength = (headers: Record<string, string>) =>
      Object.entries(headers).filter(([name]) => name !== 'content-length');
    const fastHeaders = withoutLength(viaFastPath.headers);
    expect(fastHeaders).toEqual(withoutLength(viaRouter.headers));
    expect(viaFastPath.headers).toHaveProperty('strict-transport-security');
    expect(Object.keys(JSON.parse(viaFastPath.body) as object).sort()).toEqual(
      Object.keys(JSON.parse(viaRouter.body) as object).sort(),
    );
  });
});

describe('what keeps the fast paths in step by construction', () => {
  it('the JWKS fast path names how it gives each every-request step', () => {
    expect(Object.keys(JWKS_FAST_PATH_STEPS)).toEqual([...EVERY_REQUEST]);
  });

  const token: Middleware = (ctx) => {
    ctx.body = 'token';
  };

  it('refuses a router carrying middleware, which POST /token would skip', () => {
    const router = new Router();
    router.post('/token', token);
    expect(() => assertRoutesOnly(router, token)).not.toThrow();
    router.use((_ctx, next) => next());
    expect(() => assertRoutesOnly(router, token)).toThrow(/would not run for POST \/token/);
  });

  it('refuses a router whose POST /token is not the fast path’s handler alone', () => {
    const other = new Router();
    other.post('/token', (_ctx, next) => next(), token);
    expect(() => assertRoutesOnly(other, token)).toThrow(/POST \/token must be/);
    expect(() => assertRoutesOnly(new Router(), token)).toThrow(/POST \/token must be/);
  });
});
