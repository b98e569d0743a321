import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { decodeProtectedHeader } from 'jose';
import { createVerifier, type Verifier } from '@latchkey/sdk';
import { createRedisRevocationSource, type RedisRevocationSource } from '@latchkey/sdk/redis';
import {
  findTestPostgres,
  startTestRedis,
  waitFor,
  type TestPostgresDatabase,
  type TestRedis,
} from '@latchkey/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKeysCommand, startIdp, type IdpProcess } from '../test-support/idp-process.js';
import { basicAuth } from '../test-support/test-idp.js';

/**
 * `keys revoke` reaching services at once: a real IdP process, the real `keys` command, a
 * private redis-server, and the SDK with its Redis revocation source. Without the revocation
 * notice, an SDK with a warm key-set cache would go on accepting the key's tokens for the
 * cache lifetime (minutes), and one reading /jwks through a stale cache would accept them too.
 */
const ISSUER = 'http://idp.localhost:4000';
const AUDIENCE = 'http://wiki.localhost:3002/api';
const KEK = Buffer.alloc(32, 43).toString('base64url');
/** "Within milliseconds": generous for a shared 2-core machine, far below any cache lifetime. */
const AT_ONCE_MS = 250;

// The command and the IdP must share the keys' database: a PostgreSQL server.
const postgres = await findTestPostgres();
let database: TestPostgresDatabase | undefined;
let redis: TestRedis;
let idp: IdpProcess;
let staleCache: { url: string; close: () => Promise<void> };
const sources: RedisRevocationSource[] = [];
let env: Record<string, string>;
let token: string;
let kid: string;

async function machineToken(): Promise<string> {
  const response = await fetch(`${idp.url}/token`, {
    method: 'POST',
    headers: { Authorization: basicAuth('reports', 'reports-demo-secret') },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** A cache between a service and the IdP that still serves the JWKS from before the revocation. */
async function serveStale(body: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((request, response) => {
    request.resume();
    response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'max-age=300' });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/jwks`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function sdk(jwksUri: string): Promise<Verifier> {
  const revocation = createRedisRevocationSource({ url: redis.url });
  sources.push(revocation);
  await revocation.ready({ signal: AbortSignal.timeout(5_000) });
  return createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri, revocation });
}

const outcome = (verifier: Verifier, jwt: string): Promise<string> =>
  verifier.verifyAccessToken(jwt).then(
    () => 'valid',
    (error: unknown) => (error as { code?: string }).code ?? String(error),
  );

it.runIf(!postgres.available)('says why the revocation tests were skipped', () => {
  expect(postgres.available).toBe(false);
});

describe.skipIf(!postgres.available)(
  'keys revoke reaches every SDK at once',
  { timeout: 60_000 },
  () => {
    beforeAll(async () => {
      redis = await startTestRedis();
      if (!postgres.available) return;
      database = await postgres.createDatabase();
      env = {
        REDIS_URL: redis.url,
        DATABASE_URL: database.url,
        KEY_ENCRYPTION_KEY: KEK,
        KEY_ROTATION_INTERVAL: '1h',
      };
      idp = await startIdp(env);
      token = await machineToken();
      kid = decodeProtectedHeader(token).kid!;
      staleCache = await serveStale(await (await fetch(`${idp.url}/jwks`)).text());
    });
    afterAll(async () => {
      await Promise.all(sources.splice(0).map((source) => source.close()));
      await staleCache?.close();
      await idp?.kill('SIGKILL');
      await redis?.kill();
      await database?.drop();
    });

    it('an SDK with a warm key-set cache refuses the key within milliseconds of the command', async () => {
      const warm = await sdk(`${idp.url}/jwks`);
      await expect(warm.verifyAccessToken(token)).resolves.toMatchObject({ sub: 'reports' });

      const revoked = await runKeysCommand(['revoke', kid], env);
      const returnedAt = performance.now();
      expect(revoked.code, revoked.stderr).toBe(0);
      await waitFor(
        'the warm SDK to refuse the key',
        async () => (await outcome(warm, token)) !== 'valid',
        {
          timeoutMs: AT_ONCE_MS,
          intervalMs: 1,
        },
      );
      const elapsedMs = performance.now() - returnedAt;
      process.stdout.write(
        `key ${kid}: refused ${elapsedMs.toFixed(1)} ms after \`keys revoke\` returned\n`,
      );
      expect(await outcome(warm, token)).toBe('ERR_KEY_REVOKED');
      expect(elapsedMs).toBeLessThan(AT_ONCE_MS);

      // The replacement key signs, and the same SDK accepts its tokens.
      const fresh = await machineToken();
      expect(decodeProtectedHeader(fresh).kid).not.toBe(kid);
      await waitFor('the new key to verify', async () => (await outcome(warm, fresh)) === 'valid', {
        timeoutMs: 10_000,
      });
    });

    it('an SDK started after the revocation refuses the key, even from a stale JWKS', async () => {
      // Runs after the revocation above: this SDK only has the set in Redis to go by.
      const late = await sdk(staleCache.url);
      expect(await outcome(late, token)).toBe('ERR_KEY_REVOKED');
    });
  },
);
