import {
  encodeStoreLayout,
  STORE_LAYOUT_VERSION,
  storeKeys,
  storeLayoutKey,
} from '@latchkey/protocol';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestRedis, type TestRedis } from '@latchkey/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  runKeysCommand,
  runScript,
  runSessionsCommand,
  startIdp,
} from '../test-support/idp-process.js';

/**
 * The IdP process and the `keys` command on a real Redis written by another Latchkey version.
 * The SDK's side of the same rule is in packages/sdk (redis-revocation-source.layout.*).
 */
const KEK = Buffer.alloc(32, 44).toString('base64url');
const OTHER = STORE_LAYOUT_VERSION + 1;

let redis: TestRedis;
let client: Redis;
let env: Record<string, string>;

describe('the Redis key layout, on the IdP side', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    redis = await startTestRedis();
    client = new Redis(redis.url);
    // The keys command needs a database that outlives it; it is refused before opening it.
    env = {
      REDIS_URL: redis.url,
      KEY_ENCRYPTION_KEY: KEK,
      DATABASE_URL: `pglite://${mkdtempSync(join(tmpdir(), 'latchkey-layout-'))}`,
    };
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.kill();
  });
  beforeEach(async () => {
    await client.flushall();
  });

  it('refuses to start on a Redis of another layout, in one line, writing nothing', async () => {
    await client.set(storeLayoutKey, encodeStoreLayout(OTHER));
    const { code, stdout, stderr } = await runScript('main.js', [], env);
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^latchkey: refusing to start: /);
    expect(lines[0]).toContain(`layout ${OTHER}`);
    expect(lines[0]).toContain(`layout ${STORE_LAYOUT_VERSION}`);
    expect(stdout).not.toContain('idp.listening');
    expect(await client.get(storeLayoutKey)).toBe(String(OTHER));
    expect(await client.exists(storeKeys.keySet)).toBe(0);
  });

  it('the keys and sessions commands refuse that Redis too', async () => {
    await client.set(storeLayoutKey, encodeStoreLayout(OTHER));
    for (const ran of [
      await runKeysCommand(['list'], env),
      await runSessionsCommand(['revoke', 'some-sid'], env),
    ]) {
      expect(ran.code).toBe(1);
      expect(ran.stderr).toContain(`layout ${OTHER}`);
    }
    expect(await client.zcard('latchkey:revoked')).toBe(0);
  });

  it('claims an empty Redis for its own layout when it starts', async () => {
    const idp = await startIdp(env);
    try {
      expect(await client.get(storeLayoutKey)).toBe(String(STORE_LAYOUT_VERSION));
    } finally {
      await idp.kill('SIGKILL');
    }
  });
});
