import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientRegistry } from '../clients/client.js';
import { loadClientsFile } from '../clients/load-clients.js';
import { loadConfig } from '../config/config.js';
import { createIdp, type Idp } from '../idp.js';
import { silentLogger } from '../logger.js';
import { sharedTestDatabase } from '../test-support/test-database.js';
import { createMemoryStore } from '../store/memory-store.js';
import { comparableAnswer, loopbackServers } from '../test-support/loopback-servers.js';

/**
 * The /jwks answer given before Koa must be the Koa route's answer, header for header: the
 * same IdP is served twice, once by its handler (fast path first) and once by Koa alone.
 */
let idp: Idp;
const servers = loopbackServers();
let fast: string;
let koa: string;

beforeAll(async () => {
  const config = loadConfig({ ISSUER: 'https://idp.localhost', KEY_ROTATION_INTERVAL: '1h' });
  const clients = createClientRegistry(
    await loadClientsFile(config.clientsFile, { production: false }),
  );
  idp = createIdp(config, {
    store: createMemoryStore(),
    database: await sharedTestDatabase(),
    clients,
    logger: silentLogger,
  });
  fast = await servers.listen(idp.handler);
  koa = await servers.listen(idp.app.callback());
});
afterAll(async () => {
  await servers.closeAll();
  await idp.keys.stop();
});

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
      const [viaFastPath, viaKoa] = [
        await comparableAnswer(fast, path, init),
        await comparableAnswer(koa, path, init),
      ];
      expect(viaFastPath).toEqual(viaKoa);
    }
    const ok = await comparableAnswer(fast, '/jwks');
    expect(ok.status).toBe(200);
    expect(ok.headers).toMatchObject({
      'access-control-allow-origin': '*',
      'strict-transport-security': expect.stringContaining('max-age=') as string,
      'x-content-type-options': 'nosniff',
      'content-type': 'application/jwk-set+json',
      etag,
    });
    expect(JSON.parse(ok.body)).toHaveProperty('keys');
    const notModified = await comparableAnswer(fast, '/jwks', {
      headers: { 'If-None-Match': etag },
    });
    expect(notModified).toMatchObject({ status: 304, body: '' });
    expect(notModified.headers).not.toHaveProperty('content-type');
  });

  it('serves the new document and ETag as soon as the key set changes', async () => {
    const before = await comparableAnswer(fast, '/jwks');
    await idp.keys.rotateNow();
    const after = await comparableAnswer(fast, '/jwks');
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(after.body).not.toBe(before.body);
    expect(after).toEqual(await comparableAnswer(koa, '/jwks'));
  });

  it('leaves other methods and paths to Koa', async () => {
    expect((await fetch(`${fast}/jwks`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${fast}/jwksx`)).status).toBe(404);
  });
});
