import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { revocationKeys, storeKeys } from '@latchkey/protocol';
import { createVerifier } from '@latchkey/sdk';
import { createRedisRevocationSource, type RedisRevocationSource } from '@latchkey/sdk/redis';
import { printOutputOnFailure, startTestRedis, waitFor, type TestRedis } from '@latchkey/testing';
import { Redis } from 'ioredis';
import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { authorizeUrl, createBrowser, signIn, type Browser } from '../test-support/browser.js';
import { startIdp, type IdpProcess } from '../test-support/idp-process.js';
import { basicAuth } from '../test-support/test-idp.js';

/**
 * Issue 15, "confirmed means durable", with real processes: the IdP (dist/main.js), a Redis
 * master with a replica (WAIT), and a Redis restored from a snapshot taken before a logout, or
 * come back empty. A confirmed logout must hold through both.
 */
const ISSUER = 'http://idp.localhost:4000';
const SHOP = {
  clientId: 'shop',
  auth: basicAuth('shop', 'shop-demo-secret'),
  redirectUri: 'http://shop.localhost:3001/auth/callback',
};
const SHOP_API = 'http://shop.localhost:3001/api';
const ALICE = { username: 'alice', password: 'wonderland-alice' };
const KEK = Buffer.alloc(32, 46).toString('base64url');

const idps: IdpProcess[] = [];
const redises: TestRedis[] = [];
const clients: Redis[] = [];
const sources: RedisRevocationSource[] = [];
const stopped: number[] = [];
const folders: string[] = [];

afterEach(async () => {
  // A stopped replica cannot die of SIGKILL before it is let go on some systems: resume first.
  for (const pid of stopped.splice(0)) resume(pid);
  await Promise.all(sources.splice(0).map((source) => source.close()));
  await Promise.all(idps.splice(0).map((idp) => idp.kill('SIGKILL')));
  for (const client of clients.splice(0)) client.disconnect();
  await Promise.all(redises.splice(0).map((redis) => redis.kill()));
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});
printOutputOnFailure(() => idps.map((idp) => idp.output()).join('\n---\n'));

function resume(pid: number): void {
  try {
    process.kill(pid, 'SIGCONT');
  } catch {
    // Gone already.
  }
}

async function redis(args: string[] = []): Promise<{ server: TestRedis; client: Redis }> {
  const server = await startTestRedis(undefined, { args });
  redises.push(server);
  const client = new Redis(server.url, { maxRetriesPerRequest: null });
  clients.push(client);
  return { server, client };
}

async function idp(env: Record<string, string>): Promise<IdpProcess> {
  const started = await startIdp({ KEY_ENCRYPTION_KEY: KEK, KEY_ROTATION_INTERVAL: '1h', ...env });
  idps.push(started);
  return started;
}

interface Login {
  browser: Browser;
  access: string;
  id: string;
  refresh: string;
  sid: string;
}

async function login(url: string): Promise<Login> {
  const browser = createBrowser();
  const signedIn = await signIn(browser, url, {
    clientId: SHOP.clientId,
    redirectUri: SHOP.redirectUri,
    scope: 'openid profile offline_access',
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
  const body = (await response.json()) as Record<string, string>;
  expect(body.refresh_token).toBeTruthy();
  return {
    browser,
    access: body.access_token!,
    id: body.id_token!,
    refresh: body.refresh_token!,
    sid: decodeJwt(body.id_token!).sid as string,
  };
}

/** RP-initiated logout from the browser, vouched by its own ID token: no confirmation form. */
async function logout(url: string, session: Login): Promise<Response> {
  const target = new URL('/logout', url);
  target.searchParams.set('id_token_hint', session.id);
  return session.browser.fetch(target);
}

/** Whether the browser's session still signs it in without the form (single sign-on). */
async function ssoGivesCode(url: string, session: Login): Promise<boolean> {
  const { url: authorize } = authorizeUrl(url, {
    clientId: SHOP.clientId,
    redirectUri: SHOP.redirectUri,
    scope: 'openid',
  });
  const response = await session.browser.fetch(authorize);
  const location = response.headers.get('location') ?? '';
  return new URL(location, url).searchParams.has('code');
}

async function userinfoStatus(url: string, session: Login): Promise<number> {
  const response = await fetch(`${url}/userinfo`, {
    headers: { Authorization: `Bearer ${session.access}` },
  });
  return response.status;
}

async function refreshOutcome(url: string, session: Login): Promise<string> {
  const response = await fetch(`${url}/token`, {
    method: 'POST',
    headers: { Authorization: SHOP.auth },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: session.refresh }),
  });
  if (response.ok) return 'ok';
  return ((await response.json()) as { error: string }).error;
}

/** What a service starting now decides about the token, from the revoked set as Redis has it. */
async function freshSdkOutcome(redisUrl: string, idpUrl: string, token: string): Promise<string> {
  const revocation = createRedisRevocationSource({ url: redisUrl });
  sources.push(revocation);
  await revocation.ready({ signal: AbortSignal.timeout(10_000) });
  const verifier = createVerifier({
    issuer: ISSUER,
    audience: SHOP_API,
    clientId: SHOP.clientId,
    jwksUri: `${idpUrl}/jwks`,
    revocation,
  });
  return verifier.verifyAccessToken(token).then(
    () => 'valid',
    (error: unknown) => (error as { code?: string }).code ?? String(error),
  );
}

async function processId(client: Redis): Promise<number> {
  const info = await client.info('server');
  return Number(/process_id:(\d+)/.exec(info)![1]);
}

describe('WAIT: a revocation is confirmed only once a replica has it', { timeout: 90_000 }, () => {
  async function masterAndReplica() {
    const master = await redis();
    const replica = await redis(['--replicaof', '127.0.0.1', String(master.server.port)]);
    await waitFor(
      'the replica in sync',
      async () => /slave0:.*state=online/.test(await master.client.info('replication')),
      { timeoutMs: 20_000, intervalMs: 50 },
    );
    return { master, replica, replicaPid: await processId(replica.client) };
  }

  it('answers 503 to a logout while the replica does not answer, and confirms once it does', async () => {
    const { master, replicaPid } = await masterAndReplica();
    const a = await idp({ REDIS_URL: master.server.url, REDIS_WAIT_REPLICAS: '1' });
    const first = await login(a.url);
    const second = await login(a.url);

    process.kill(replicaPid, 'SIGSTOP');
    stopped.push(replicaPid);
    const pending = logout(a.url, first);
    // While the WAIT waits, it holds only the confirmed writes' own connection: the one every
    // other request uses is free (a WAIT there would stall logins for the whole timeout).
    let blocked: string[] = [];
    await waitFor(
      'the logout to be waiting for the replica',
      async () => {
        blocked = String(await master.client.client('LIST'))
          .split('\n')
          .filter((line) => / cmd=wait /.test(line));
        return blocked.length > 0;
      },
      { timeoutMs: 5_000, intervalMs: 5 },
    );
    expect(blocked.every((line) => / name=latchkey-idp-durable /.test(line))).toBe(true);
    const refused = await pending;
    expect(refused.status).toBe(503);
    expect(a.output()).toContain('reached 0 of 1 replicas');
    // Not confirmed, yet never a silent success the other way either: the IdP already
    // refuses the session (the ledger has it), and its Redis write waits for the replica.
    expect(await userinfoStatus(a.url, first)).toBe(401);

    process.kill(replicaPid, 'SIGCONT');
    stopped.splice(stopped.indexOf(replicaPid), 1);
    const confirmed = await logout(a.url, second);
    expect(confirmed.status).toBe(200);
    expect(await userinfoStatus(a.url, second)).toBe(401);
    const stats = await master.client.info('commandstats');
    expect(stats).toMatch(/cmdstat_wait:calls=\d+/);
  });

  it('sends no WAIT when REDIS_WAIT_REPLICAS is 0 (a stopped replica changes nothing)', async () => {
    const { master, replicaPid } = await masterAndReplica();
    const a = await idp({ REDIS_URL: master.server.url, REDIS_WAIT_REPLICAS: '0' });
    const session = await login(a.url);
    process.kill(replicaPid, 'SIGSTOP');
    stopped.push(replicaPid);
    expect((await logout(a.url, session)).status).toBe(200);
    expect(await master.client.info('commandstats')).not.toMatch(/cmdstat_wait:/);
  });
});

describe('Redis restored from an older snapshot, or back empty', { timeout: 90_000 }, () => {
  it.each(['snapshot', 'empty'] as const)(
    '%s: a confirmed logout stays a logout everywhere',
    async (how) => {
      const folder = mkdtempSync(join(tmpdir(), 'latchkey-restore-'));
      folders.push(folder);
      // An RDB file in a folder of its own, written only by SAVE, read at start.
      const { server, client } = await redis(['--dir', folder, '--dbfilename', 'dump.rdb']);
      const a = await idp({ REDIS_URL: server.url });
      const session = await login(a.url);
      expect(await ssoGivesCode(a.url, session)).toBe(true);

      await client.save();
      const aside = join(folder, 'before-logout.rdb');
      copyFileSync(join(folder, 'dump.rdb'), aside);
      expect((await logout(a.url, session)).status).toBe(200);

      // The IdP paused meanwhile, so the state it finds can be checked first.
      process.kill(a.pid, 'SIGSTOP');
      stopped.push(a.pid);
      await server.kill();
      if (how === 'snapshot') copyFileSync(aside, join(folder, 'dump.rdb'));
      else rmSync(join(folder, 'dump.rdb'));
      await server.start();
      // The restore really lost the logout: the session is back, its revocation gone.
      expect(await client.exists(storeKeys.session(session.sid))).toBe(how === 'snapshot' ? 1 : 0);
      expect(await client.zscore(revocationKeys.set, `sid:${session.sid}`)).toBeNull();
      process.kill(a.pid, 'SIGCONT');
      stopped.splice(stopped.indexOf(a.pid), 1);

      // The IdP puts the revoked set (and the session's absence) back by itself.
      await waitFor(
        'the revocation back in the revoked set',
        async () => (await client.zscore(revocationKeys.set, `sid:${session.sid}`)) !== null,
        { timeoutMs: 20_000, intervalMs: 100 },
      );
      expect(await client.exists(storeKeys.session(session.sid))).toBe(0);
      expect(a.output()).toContain('"event":"revocations.reconciled"');

      expect(await ssoGivesCode(a.url, session)).toBe(false);
      expect(await userinfoStatus(a.url, session)).toBe(401);
      expect(await refreshOutcome(a.url, session)).toBe('invalid_grant');
      expect(await freshSdkOutcome(server.url, a.url, session.access)).toBe('ERR_TOKEN_REVOKED');
    },
  );
});
