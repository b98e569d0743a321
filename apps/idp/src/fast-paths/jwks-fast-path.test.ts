import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientRegistry } from '../clients/client.js';
import { loadClientsFile } from '../clients/load-clients.js';
import { loadConfig } from '../config/config.js';
import { createHttpServer } from '../http/http-server.js';
import { createIdp, type Idp } from '../idp.js';
import { silentLogger } from '../logger.js';
import { createMemoryStore } from '../store/memory-store.js';

/**
 * The /jwks answer given before Koa must be the Koa route's answer, header for header: the
 * same IdP is served twice, once by its handler (fast path first) and once by Koa alone.
 */
let idp: Idp;
const servers: Server[] = [];
let fast: string;
let koa: string;

async function listen(handler: Parameters<typeof createHttpServer>[0]): Promise<string> {
  const server = createHttpServer(handler).listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  const config = loadConfig({ ISSUER: 'https://idp.localhost', KEY_ROTATION_INTERVAL: '1h' });
  const clients = createClientRegistry(
    await loadClientsFile(config.clientsFile, { production: false }),
  );
  idp = createIdp(config, { store: createMemoryStore(), clients, logger: silentLogger });
  fast = await listen(idp.handler);
  koa = await listen(idp.app.callback());
});
afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await idp.keys.stop();
});

async function answer(base: string, path: string, init: RequestInit = {}) {
  const response = await fetch(`${base}${path}`, init);
  const headers = Object.fromEntries(
    [...response.headers].filter(([name]) => name !== 'date' && name !== 'keep-alive'),
  );
  return { status: response.status, headers, body: await response.text() };
}

describe('GET /jwks before Koa', () => {
  it('leaves the request to Koa while no key set is loaded (503 from the error handler)', async () => {
    const response = await fetch(`${fast}/jwks`);
    expect(response.status).toBe(503);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('answers 200, 304, HEAD and a query string exactly as the Koa route does', async () => {
    await idp.keys.start();
    const etag = idp.keys.jwks().etag;
    const cases: [string, RequestInit][] = [
      ['/jwks', {}],
      ['/jwks?x=1', {}],
      ['/jwks', { method: 'HEAD' }],
      ['/jwks', { headers: { 'If-None-Match': etag } }],
      ['/jwks', { headers: { 'If-None-Match': `"other", W/${etag}` } }],
      ['/jwks', { headers: { 'If-None-Match': '"stale"' } }],
    ];
    for (const [path, init] of cases) {
      const [viaFastPath, viaKoa] = [await answer(fast, path, init), await answer(koa, path, init)];
      expect(viaFastPath).toEqual(viaKoa);
    }
    const ok = await answer(fast, '/jwks');
    expect(ok.status).toBe(200);
    expect(ok.headers).toMatchObject({
      'access-control-allow-origin': '*',
      'strict-transport-security': expect.stringContaining('max-age=') as string,
      'x-content-type-options': 'nosniff',
      'content-type': 'application/jwk-set+json',
      etag,
    });
    expect(JSON.parse(ok.body)).toHaveProperty('keys');
    const notModified = await answer(fast, '/jwks', { headers: { 'If-None-Match': etag } });
    expect(notModified).toMatchObject({ status: 304, body: '' });
    expect(notModified.headers).not.toHaveProperty('content-type');
  });

  it('serves the new document and ETag as soon as the key set changes', async () => {
    const before = await answer(fast, '/jwks');
    await idp.keys.rotateNow();
    const after = await answer(fast, '/jwks');
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(after.body).not.toBe(before.body);
    expect(after).toEqual(await answer(koa, '/jwks'));
  });

  it('leaves other methods and paths to Koa', async () => {
    expect((await fetch(`${fast}/jwks`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${fast}/jwksx`)).status).toBe(404);
  });
});
