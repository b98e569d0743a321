import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { storeKeys } from '@latchkey/protocol';
import { createVerifier } from '@latchkey/sdk';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runKeysCommand, startIdp, type IdpProcess } from '../test-support/idp-process.js';
import {
  findTestPostgres,
  startTestRedis,
  waitFor,
  type TestPostgresDatabase,
  type TestRedis,
} from '@latchkey/testing';
import pg from 'pg';
import { basicAuth } from '../test-support/test-idp.js';

/**
 * The key lifecycle across real processes: IdPs built from dist/, a private redis-server, a
 * database of each test's own on the PostgreSQL server (where the keys live; an embedded one
 * lives inside one process, and these tests run several), the operator's `keys` command, and
 * verifiers (the SDK and plain jose) over loopback HTTP.
 */
const ISSUER = 'http://idp.localhost:4000';
const AUDIENCE = 'http://wiki.localhost:3002/api';
const KEK = Buffer.alloc(32, 42).toString('base64url');

const postgres = await findTestPostgres();
let redis: TestRedis;
let database: TestPostgresDatabase | undefined;
const running: IdpProcess[] = [];
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis.kill();
});
beforeEach(async () => {
  if (postgres.available) database = await postgres.createDatabase();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((idp) => idp.kill('SIGKILL')));
  const client = new Redis(redis.url);
  await client.flushall();
  client.disconnect();
  await database?.drop();
});

const env = (extra: Record<string, string> = {}) => ({
  REDIS_URL: redis.url,
  DATABASE_URL: database!.url,
  KEY_ENCRYPTION_KEY: KEK,
  KEY_ROTATION_INTERVAL: '1h',
  ...extra,
});

async function idp(extra: Record<string, string> = {}): Promise<IdpProcess> {
  const started = await startIdp(env(extra));
  running.push(started);
  return started;
}

async function machineToken(url: string): Promise<string> {
  const response = await fetch(`${url}/token`, {
    method: 'POST',
    headers: { Authorization: basicAuth('reports', 'reports-demo-secret') },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

const kidOf = (token: string) => decodeProtectedHeader(token).kid;

async function jwks(url: string): Promise<{ kid: string; alg: string }[]> {
  return ((await (await fetch(`${url}/jwks`)).json()) as { keys: { kid: string; alg: string }[] })
    .keys;
}

/** Serves the IdP's /jwks through a counter, so a test can tell whether a verifier refetched. */
async function countingJwksProxy(
  target: string,
): Promise<{ url: string; count: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server: Server = createServer((request, response) => {
    count++;
    void fetch(`${target}/jwks`).then(async (upstream) => {
      response.writeHead(upstream.status, {
        'Content-Type': 'application/json',
        'Cache-Control': upstream.headers.get('cache-control') ?? '',
      });
      response.end(Buffer.from(await upstream.arrayBuffer()));
    });
    request.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`,
    count: () => count,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

// Each test spawns IdP processes; on a shared 2-core CI machine that alone can take seconds.
// Keeps the file from failing as "no tests" when no server answers locally (CI has one).
it.runIf(!postgres.available)('says why the process tests were skipped', () => {
  expect(postgres.available).toBe(false);
});

describe.skipIf(!postgres.available)('signing keys across processes', { timeout: 30_000 }, () => {
  it('issues tokens that the SDK and plain jose verify against /jwks', async () => {
    const a = await idp();
    const token = await machineToken(a.url);
    const verifier = createVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUri: `${a.url}/jwks`,
    });
    const claims = await verifier.verifyAccessToken(token);
    expect(claims).toMatchObject({
      iss: ISSUER,
      sub: 'reports',
      client_id: 'reports',
      aud: AUDIENCE,
    });
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${a.url}/jwks`)), {
      issuer: ISSUER,
      audience: AUDIENCE,
      typ: 'at+jwt',
    });
    expect(payload.jti).toBe(claims.jti);
  });

  it('rotates on command: old tokens still verify, new ones carry the pre-published kid, no refetch needed', async () => {
    const a = await idp();
    const before = await machineToken(a.url);
    const proxy = await countingJwksProxy(a.url);
    try {
      const verifier = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: proxy.url });
      await verifier.verifyAccessToken(before);
      expect(proxy.count()).toBe(1);
      const pendingBefore = (await jwks(a.url)).map((key) => key.kid);

      const rotated = await runKeysCommand(['rotate'], env());
      expect(rotated.code, rotated.stderr).toBe(0);

      let after = before;
      await waitFor(
        'the IdP to sign with the new key',
        async () => {
          after = await machineToken(a.url);
          return kidOf(after) !== kidOf(before);
        },
        { timeoutMs: 5_000 },
      );
      expect(pendingBefore).toContain(kidOf(after));
      await expect(verifier.verifyAccessToken(after)).resolves.toMatchObject({ sub: 'reports' });
      await expect(verifier.verifyAccessToken(before)).resolves.toMatchObject({ sub: 'reports' });
      // The new kid was in the cached key set: verifying needed no second fetch.
      expect(proxy.count()).toBe(1);
    } finally {
      await proxy.close();
    }
  });

  it('revokes a compromised key: gone from /jwks at once, and its tokens fail', async () => {
    const a = await idp();
    const token = await machineToken(a.url);
    const kid = kidOf(token)!;
    const revoked = await runKeysCommand(['revoke', kid], env());
    expect(revoked.code, revoked.stderr).toBe(0);
    await waitFor(
      'the key to leave /jwks',
      async () => !(await jwks(a.url)).some((key) => key.kid === kid),
      { timeoutMs: 5_000 },
    );

    const verifier = createVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUri: `${a.url}/jwks`,
    });
    await expect(verifier.verifyAccessToken(token)).rejects.toMatchObject({
      code: 'ERR_KEY_NOT_FOUND',
    });
    const fresh = await machineToken(a.url);
    expect(kidOf(fresh)).not.toBe(kid);
    await expect(verifier.verifyAccessToken(fresh)).resolves.toMatchObject({ sub: 'reports' });
  });

  it('lists keys with their state, and refuses an unknown kid', async () => {
    await idp();
    const listed = await runKeysCommand(['list'], env());
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/ES256\s+active/);
    expect(listed.stdout).toMatch(/RS256\s+pending/);
    const unknown = await runKeysCommand(['revoke', 'no-such-kid'], env());
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no-such-kid');
    const usage = await runKeysCommand(['explode'], env());
    expect(usage.code).toBe(2);
    // A database that keeps nothing cannot be the IdP's: refused, not an empty listing.
    const throwaway = await runKeysCommand(['list'], env({ DATABASE_URL: 'pglite://memory' }));
    expect(throwaway.code).toBe(2);
    expect(throwaway.stderr).toContain('pglite://memory');
  });

  it('two IdPs on one PostgreSQL and Redis rotate once per interval and agree on the active key', async () => {
    const [a, b] = await Promise.all([
      idp({ KEY_ROTATION_INTERVAL: '5s' }),
      idp({ KEY_ROTATION_INTERVAL: '5s' }),
    ]);
    // Seconds-long intervals are for tests like this one, and the IdP says so.
    expect(a.output()).toContain('"event":"config.short_rotation_interval"');
    const startKid = kidOf(await machineToken(a.url));
    expect(kidOf(await machineToken(b.url))).toBe(startKid);

    // Wait for the first scheduled rotation and sample before the second one is due.
    await waitFor(
      'a scheduled rotation',
      async () => kidOf(await machineToken(a.url)) !== startKid,
      { timeoutMs: 8_000, intervalMs: 100 },
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const keys = await jwks(a.url);
    const perAlg = (alg: string) => keys.filter((key) => key.alg === alg).length;
    // One rotation: retired + active + pending. Two racing rotations would leave four.
    expect(perAlg('ES256')).toBe(3);
    expect(perAlg('RS256')).toBe(3);
    expect(await jwks(b.url)).toEqual(keys);
    expect(kidOf(await machineToken(b.url))).toBe(kidOf(await machineToken(a.url)));
  }, 20_000);

  it('three rotate commands at the same moment produce exactly one rotation', async () => {
    const a = await idp();
    const before = await jwks(a.url);
    // Each names the key it means: processes started together still read the set at
    // different moments, and one reading after another's rotation must not rotate again.
    const signing = kidOf(await machineToken(a.url))!;
    const results = await Promise.all(
      [1, 2, 3].map(() => runKeysCommand(['rotate', '--if-active', signing], env())),
    );
    expect(results.map((result) => result.code)).toEqual([0, 0, 0]);
    await waitFor(
      'the IdP to see the rotation',
      async () => (await jwks(a.url)).length === before.length + 2,
      { timeoutMs: 15_000 },
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await jwks(a.url)).toHaveLength(before.length + 2);

    // Asked again for the key that no longer signs: nothing happens, and it says why.
    const late = await runKeysCommand(['rotate', '--if-active', signing], env());
    expect(late.code).toBe(0);
    expect(late.stdout).toContain(`not rotated: ${signing} is not an active key`);
    expect(await jwks(a.url)).toHaveLength(before.length + 2);
    // A malformed request is a usage error, not a rotation.
    expect((await runKeysCommand(['rotate', '--if-active'], env())).code).toBe(2);
  });

  it('keeps its keys across a restart', async () => {
    const first = await idp();
    const keysBefore = await jwks(first.url);
    const kidBefore = kidOf(await machineToken(first.url));
    expect(await first.kill('SIGTERM')).toBe(0);
    const second = await idp();
    expect(await jwks(second.url)).toEqual(keysBefore);
    expect(kidOf(await machineToken(second.url))).toBe(kidBefore);
  });

  it('stores private keys that cannot be read without KEY_ENCRYPTION_KEY', async () => {
    await idp();
    const client = new Redis(redis.url);
    const raw = (await client.get(storeKeys.keySet))!;
    client.disconnect();
    const stored = JSON.parse(raw) as {
      keys: { privateKey: Record<string, unknown>; publicJwk: Record<string, unknown> }[];
    };
    for (const key of stored.keys) {
      expect(Object.keys(key.privateKey).sort()).toEqual(['data', 'iv', 'tag', 'v']);
      expect(key.publicJwk).not.toHaveProperty('d');
    }
    expect(raw).not.toMatch(/"d":/);
    // The same in the database, which holds the keys themselves.
    const sql = new pg.Client({ connectionString: database!.url });
    await sql.connect();
    const { rows } = await sql.query<{ private_key: object; public_jwk: object }>(
      'SELECT private_key, public_jwk FROM signing_keys',
    );
    await sql.end();
    expect(rows).toHaveLength(stored.keys.length);
    for (const row of rows) {
      expect(Object.keys(row.private_key).sort()).toEqual(['data', 'iv', 'tag', 'v']);
      expect(row.public_jwk).not.toHaveProperty('d');
    }

    // A production IdP with another KEK refuses to sign rather than guess.
    const wrongKek = await startIdp(
      env({
        NODE_ENV: 'production',
        KEY_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64url'),
        CLIENTS_FILE: new URL('../../test/fixtures/production-clients.json', import.meta.url)
          .pathname,
      }),
      { ready: false },
    );
    running.push(wrongKek);
    const ready = await fetch(`${wrongKek.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(JSON.stringify(await ready.json())).toContain('cannot be decrypted');
    const refused = await fetch(`${wrongKek.url}/token`, {
      method: 'POST',
      headers: { Authorization: basicAuth('jobs', 'production-test-secret-0123456789') },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: string }).error).toBe('temporarily_unavailable');
  });
});
