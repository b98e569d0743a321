import {
  freePort,
  startTestRedis,
  startTestRedisCluster,
  startTestRedisSentinel,
  type TestRedis,
  type TestRedisCluster,
  type TestRedisSentinel,
} from '@latchkey/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrowser, signIn } from '../test-support/browser.js';
import { refresh, SHOP } from '../test-support/grants.js';
import { runScript, startIdp } from '../test-support/idp-process.js';
import { startTestIdp } from '../test-support/test-idp.js';
import { createRedisStore } from './redis-store.js';
import { checkRedisTopology } from './redis-topology-check.js';

const ALICE = { username: 'alice', password: 'wonderland-alice' };
const SHOP_AUTH = SHOP.auth;

let cluster: TestRedisCluster;
let sentinel: TestRedisSentinel;
let plain: TestRedis;
let lone: TestRedis;
beforeAll(async () => {
  [cluster, sentinel, plain, lone] = await Promise.all([
    startTestRedisCluster({ masters: 3, replicasPerMaster: 1 }),
    startTestRedisSentinel({ replicas: 2, sentinels: 3 }),
    startTestRedis(),
    startTestRedis(undefined, { args: ['--cluster-enabled', 'yes', '--dir', tmpDir()] }),
  ]);
}, 90_000);
afterAll(async () => {
  await Promise.all([cluster?.close(), sentinel?.close(), plain?.kill(), lone?.kill()]);
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

const folders: string[] = [];
function tmpDir(): string {
  // A cluster node writes nodes.conf into its folder.
  const folder = mkdtempSync(join(tmpdir(), 'latchkey-lone-'));
  folders.push(folder);
  return folder;
}

const check = (url: string) => checkRedisTopology(url, { connectTimeoutMs: 1_000 });

describe('REDIS_URL topology checks at start-up', () => {
  it('accepts a working cluster and sentinel set', async () => {
    expect(await check(cluster.url)).toBeNull();
    expect(await check(sentinel.url)).toBeNull();
  });

  it('refuses a master name the sentinels do not monitor', async () => {
    const url = sentinel.url.replace(/\/latchkey$/, '/no-such-master');
    expect(await check(url)).toMatch(/^REDIS_URL: no sentinel monitors a master named/);
  });

  it('refuses seeds of which none answers', async () => {
    const [a, b] = [await freePort(), await freePort()];
    expect(await check(`redis+sentinel://127.0.0.1:${a},127.0.0.1:${b}/latchkey`)).toMatch(
      /^REDIS_URL: none of the 2 sentinels answered/,
    );
    expect(await check(`redis+cluster://127.0.0.1:${a},127.0.0.1:${b}`)).toMatch(
      /^REDIS_URL: none of the 2 cluster seeds answered/,
    );
  });

  it('refuses a cluster URL naming a Redis without cluster mode', async () => {
    expect(await check(`redis+cluster://127.0.0.1:${plain.port}`)).toMatch(
      /^REDIS_URL: .* is a Redis without cluster mode/,
    );
  });

  it('refuses a cluster of one node', async () => {
    expect(await check(`redis+cluster://127.0.0.1:${lone.port}`)).toMatch(
      /^REDIS_URL: the cluster has a single node/,
    );
  });

  it('leaves a single-server URL to connect in the background, as before', async () => {
    expect(await check(`redis://127.0.0.1:${await freePort()}`)).toBeNull();
  });

  it('stops the IdP with exit 1 and one line naming REDIS_URL', async () => {
    const url = sentinel.url.replace(/\/latchkey$/, '/no-such-master');
    const result = await runScript('main.js', [], { REDIS_URL: url });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^latchkey: refusing to start: REDIS_URL: /);
  }, 30_000);

  it('stops the IdP on a malformed topology URL before connecting anywhere', async () => {
    const result = await runScript('main.js', [], {
      REDIS_URL: 'redis+sentinel://127.0.0.1:26379,redis://127.0.0.1:6379/latchkey',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/REDIS_URL: mixes several URLs or schemes/);
  }, 30_000);
});

describe.each([
  ['cluster', () => cluster.url],
  ['sentinel', () => sentinel.url],
])('the IdP on a Redis %s', (_, url) => {
  it('starts the built IdP (start-up checks, eviction check, layout claim) and answers /readyz', async () => {
    const idp = await startIdp({ REDIS_URL: url() });
    try {
      expect((await fetch(`${idp.url}/readyz`)).status).toBe(200);
      expect(idp.output()).not.toMatch(/store\.redis_error|eviction_policy_unknown/);
    } finally {
      await idp.kill();
    }
  }, 60_000);

  it('signs in, single-signs-on, refreshes and revokes without a cross-slot error', async () => {
    const store = createRedisStore(url(), { commandTimeoutMs: 1_000 });
    const idp = await startTestIdp({}, store);
    try {
      const browser = createBrowser();
      const shop = await signIn(browser, idp.url, {
        clientId: SHOP.id,
        redirectUri: SHOP.redirectUri,
        ...ALICE,
        scope: 'openid profile offline_access',
      });
      expect(shop.loginFormShown).toBe(true);
      const token = await fetch(`${idp.url}/token`, {
        method: 'POST',
        headers: { Authorization: SHOP_AUTH },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: shop.code,
          redirect_uri: SHOP.redirectUri,
          code_verifier: shop.verifier,
        }),
      });
      expect(token.status).toBe(200);
      const tokens = (await token.json()) as Record<string, string>;
      const again = await signIn(browser, idp.url, {
        clientId: SHOP.id,
        redirectUri: SHOP.redirectUri,
      });
      expect(again.loginFormShown).toBe(false);
      const refreshed = await refresh(idp, tokens.refresh_token!, { id: SHOP.id, auth: SHOP_AUTH });
      expect(refreshed.status).toBe(200);
      // Reusing the rotated refresh token revokes the session (several keys, one flow).
      const reused = await refresh(idp, tokens.refresh_token!, { id: SHOP.id, auth: SHOP_AUTH });
      expect(reused.status).toBe(400);
      const userinfo = await fetch(`${idp.url}/userinfo`, {
        headers: { Authorization: `Bearer ${tokens.access_token}` },
      });
      expect(userinfo.status).toBe(401);
    } finally {
      await idp.close();
      await store.close();
    }
  }, 60_000);
});
