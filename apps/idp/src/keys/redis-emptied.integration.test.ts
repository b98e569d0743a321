import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { storeKeys, storeLayoutKey, STORE_LAYOUT_VERSION } from '@latchkey/protocol';
import { createVerifier, type Verifier } from '@latchkey/sdk';
import { createRedisRevocationSource, type RedisRevocationSource } from '@latchkey/sdk/redis';
import {
  findTestPostgres,
  printOutputOnFailure,
  startTestRedis,
  waitFor,
  type TestPostgresDatabase,
  type TestRedis,
} from '@latchkey/testing';
import { Redis } from 'ioredis';
import { decodeProtectedHeader } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { createBrowser, signIn } from '../test-support/browser.js';
import { runKeysCommand, startIdp, type IdpProcess } from '../test-support/idp-process.js';
import { basicAuth } from '../test-support/test-idp.js';

/**
 * Redis emptied under running IdPs (FLUSHALL, or a restart without data), as issue 11 item 11
 * describes: before the keys moved to PostgreSQL this made the IdP mint new keys, so every
 * token issued before failed with an unknown kid. Real IdP processes (dist/main.js), a private
 * redis-server, and the SDK as a service would use it.
 */
const ISSUER = 'http://idp.localhost:4000';
const SHOP = {
  clientId: 'shop',
  auth: basicAuth('shop', 'shop-demo-secret'),
  redirectUri: 'http://shop.localhost:3001/auth/callback',
};
const SHOP_API = 'http://shop.localhost:3001/api';
const ALICE = { username: 'alice', password: 'wonderland-alice' };
const KEK = Buffer.alloc(32, 45).toString('base64url');
/** The IdP checks every second that Redis still holds its copy; generous for a shared machine. */
const REPAIR_MS = 5_000;

const postgres = await findTestPostgres();
let redis: TestRedis | undefined;
let database: TestPostgresDatabase | undefined;
const idps: IdpProcess[] = [];
const sources: RedisRevocationSource[] = [];
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(sources.splice(0).map((source) => source.close()));
  await Promise.all(idps.splice(0).map((idp) => idp.kill('SIGKILL')));
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await redis?.kill();
  await database?.drop();
  redis = undefined;
  database = undefined;
});
printOutputOnFailure(() => idps.map((idp) => idp.output()).join('\n---\n'));

async function idp(env: Record<string, string>): Promise<IdpProcess> {
  const started = await startIdp({
    KEY_ENCRYPTION_KEY: KEK,
    KEY_ROTATION_INTERVAL: '1h',
    ...env,
  });
  idps.push(started);
  return started;
}

/** A full browser login at the shop and the code exchanged: what a user does. */
async function login(url: string): Promise<{ access: string; id: string; nonce: string }> {
  const signedIn = await signIn(createBrowser(), url, {
    clientId: SHOP.clientId,
    redirectUri: SHOP.redirectUri,
    scope: 'openid profile',
    ...ALICE,
  });
  const response = await fetch(`${url}/token`, {
    method: 'POST',
    headers: { Authorization: SHOP.auth },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: signedIn.code,
      redirect_uri: SHOP.redirectUri,
      code_verifier: signedIn.verifier,
    }),
  });
  expect(response.status, await response.clone().text()).toBe(200);
  const body = (await response.json()) as { access_token: string; id_token: string };
  return { access: body.access_token, id: body.id_token, nonce: signedIn.nonce };
}

/** A service starting now: no cached keys, the revoked set loaded from Redis as it is. */
async function freshSdk(redisUrl: string, jwksUri: string): Promise<Verifier> {
  const revocation = createRedisRevocationSource({ url: redisUrl });
  sources.push(revocation);
  await revocation.ready({ signal: AbortSignal.timeout(5_000) });
  return createVerifier({
    issuer: ISSUER,
    audience: SHOP_API,
    clientId: SHOP.clientId,
    jwksUri,
    revocation,
  });
}

const outcome = (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'valid',
    (error: unknown) => (error as { code?: string }).code ?? String(error),
  );

const kidOf = (jwt: string) => decodeProtectedHeader(jwt).kid!;

async function publishedKids(url: string): Promise<string[]> {
  const body = (await (await fetch(`${url}/jwks`)).json()) as { keys: { kid: string }[] };
  return body.keys.map((key) => key.kid);
}

/** Waits until the IdP has put Redis right again: the layout marker and the key-set copy. */
async function waitForRepair(client: Redis): Promise<void> {
  await waitFor(
    'the layout marker and the key set back in Redis',
    async () =>
      (await client.get(storeLayoutKey)) === String(STORE_LAYOUT_VERSION) &&
      (await client.exists(storeKeys.keySet)) === 1,
    { timeoutMs: REPAIR_MS, intervalMs: 50 },
  );
}

/** Empties Redis one of the two ways it happens in production. */
async function empty(how: 'FLUSHALL' | 'restart', server: TestRedis, client: Redis) {
  if (how === 'FLUSHALL') {
    await client.flushall();
  } else {
    await server.kill();
    await server.start();
  }
  expect(await client.dbsize()).toBe(0);
}

describe('Redis emptied under a running IdP', { timeout: 60_000 }, () => {
  it.each(['FLUSHALL', 'restart'] as const)(
    '%s: logins work again without a restart, and tokens issued before still verify',
    async (how) => {
      redis = await startTestRedis();
      const server = redis;
      const client = new Redis(server.url, { maxRetriesPerRequest: null });
      cleanups.push(() => Promise.resolve(client.disconnect()));
      // The embedded database: one process is enough to lose everything Redis held.
      const a = await idp({ REDIS_URL: server.url, DATABASE_URL: 'pglite://memory' });
      const before = await login(a.url);
      const kidsBefore = await publishedKids(a.url);
      // A fresh install's first copy is no repair, and says so.
      expect(a.output()).toContain('"event":"keys.redis_copy_written"');
      expect(a.output()).not.toContain('"event":"keys.redis_copy_restored"');

      await empty(how, server, client);
      const emptiedAt = performance.now();
      await waitForRepair(client);
      process.stdout.write(
        `Redis emptied by ${how}: repaired ${(performance.now() - emptiedAt).toFixed(0)} ms later\n`,
      );
      expect(a.output()).toContain('"event":"keys.redis_copy_restored"');

      // The same process (no restart), a new login, a verifier that knows nothing yet.
      const after = await login(a.url);
      const sdk = await freshSdk(server.url, `${a.url}/jwks`);
      expect(await outcome(sdk.verifyAccessToken(before.access))).toBe('valid');
      expect(await outcome(sdk.verifyIdToken(before.id, { nonce: before.nonce }))).toBe('valid');
      expect(await outcome(sdk.verifyAccessToken(after.access))).toBe('valid');
      expect(await outcome(sdk.verifyIdToken(after.id, { nonce: after.nonce }))).toBe('valid');
      // Same keys, still signing: nothing was minted to replace what Redis lost.
      expect(await publishedKids(a.url)).toEqual(kidsBefore);
      expect(kidOf(after.access)).toBe(kidOf(before.access));
      expect(kidOf(after.id)).toBe(kidOf(before.id));
      expect(a.pid).toBe(idps[0]!.pid);
    },
  );
});

describe.skipIf(!postgres.available)(
  'Redis emptied under IdPs that share a PostgreSQL server',
  { timeout: 60_000 },
  () => {
    const shared = async () => {
      if (!postgres.available) throw new Error(postgres.reason);
      redis = await startTestRedis();
      database = await postgres.createDatabase();
      const client = new Redis(redis.url, { maxRetriesPerRequest: null });
      cleanups.push(() => Promise.resolve(client.disconnect()));
      return {
        server: redis,
        client,
        env: { REDIS_URL: redis.url, DATABASE_URL: database.url, KEY_ENCRYPTION_KEY: KEK },
      };
    };

    it('a key revoked before the flush stays refused by an SDK started after it', async () => {
      const { server, client, env } = await shared();
      const a = await idp(env);
      const token = (await login(a.url)).access;
      const kid = kidOf(token);
      // A cache in front of the IdP that still serves the key set from before the revocation:
      // only the revoked set in Redis can tell this SDK the key is not to be trusted.
      const stale = await serveStatic(await (await fetch(`${a.url}/jwks`)).text());
      cleanups.push(stale.close);

      const revoked = await runKeysCommand(['revoke', kid], env);
      expect(revoked.code, revoked.stderr).toBe(0);
      expect(await outcome((await freshSdk(server.url, stale.url)).verifyAccessToken(token))).toBe(
        'ERR_KEY_REVOKED',
      );

      await empty('FLUSHALL', server, client);
      await waitForRepair(client);
      const late = await freshSdk(server.url, stale.url);
      expect(await outcome(late.verifyAccessToken(token))).toBe('ERR_KEY_REVOKED');
      // And the key stays out of /jwks and out of signing.
      expect(await publishedKids(a.url)).not.toContain(kid);
      expect(kidOf((await login(a.url)).access)).not.toBe(kid);
    });

    it('two IdPs: one of them repairs Redis, and a rotation after it happens once and reaches both', async () => {
      const { server, client, env } = await shared();
      const [a, b] = [await idp(env), await idp(env)];
      const before = await login(a.url);
      const kidsBefore = await publishedKids(a.url);
      expect(await publishedKids(b.url)).toEqual(kidsBefore);

      // Only what they log from the flush on: the first to start also wrote the copy into the
      // new, empty Redis, and said so in the same words.
      const marks = [a, b].map((idp) => idp.output().length);
      await empty('FLUSHALL', server, client);
      await waitForRepair(client);
      // The copy is written back by exactly one of them: a compare-and-set from absent.
      const restored = () =>
        [a, b].filter((idp, i) =>
          idp.output().slice(marks[i]).includes('"event":"keys.redis_copy_restored"'),
        );
      await waitFor('the repair to be logged', () => restored().length > 0, { timeoutMs: 2_000 });
      await new Promise((resolve) => setTimeout(resolve, 2_500)); // both have checked since
      expect(restored()).toHaveLength(1);

      const signing = kidOf(before.access);
      const rotated = await runKeysCommand(['rotate', '--if-active', signing], env);
      expect(rotated.code, rotated.stderr).toBe(0);
      // The notice travels through the emptied-and-repaired Redis to both instances.
      await waitFor(
        'both IdPs to sign with the new key',
        async () =>
          kidOf((await login(a.url)).access) !== signing &&
          kidOf((await login(b.url)).access) !== signing,
        { timeoutMs: 5_000, intervalMs: 100 },
      );
      const kids = await publishedKids(a.url);
      expect(await publishedKids(b.url)).toEqual(kids);
      // One rotation: each algorithm gained exactly one key (the new pending one).
      expect(kids).toHaveLength(kidsBefore.length + 2);
      const sdk = await freshSdk(server.url, `${b.url}/jwks`);
      expect(await outcome(sdk.verifyAccessToken(before.access))).toBe('valid');
      expect(await outcome(sdk.verifyIdToken(before.id, { nonce: before.nonce }))).toBe('valid');
    });
  },
);

it.runIf(!postgres.available)('says why the shared-database tests were skipped', () => {
  expect(postgres.available).toBe(false);
});

async function serveStatic(body: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((request, response) => {
    request.resume();
    response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'max-age=300' });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
