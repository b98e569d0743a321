import { startTestRedis, type TestRedis } from '@latchkey/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScript, startIdp } from '../test-support/idp-process.js';
import { checkEvictionPolicy } from './redis-eviction-policy.js';

/** The built IdP against a private redis-server that evicts keys. */
let evicting: TestRedis;
beforeAll(async () => {
  evicting = await startTestRedis(undefined, { args: ['--maxmemory-policy', 'allkeys-lru'] });
}, 30_000);
afterAll(() => evicting?.kill());

describe('an evicting Redis', () => {
  it('is read as evicting, and a stopped one as unknown', async () => {
    expect(await checkEvictionPolicy(evicting.url)).toMatchObject({
      kind: 'evicting',
      policy: 'allkeys-lru',
    });
    expect((await checkEvictionPolicy('redis://127.0.0.1:1')).kind).toBe('unknown');
  });

  it('stops start-up with exit 1 and one line naming REDIS_URL', async () => {
    const result = await runScript('main.js', [], { REDIS_URL: evicting.url });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^latchkey: refusing to start: REDIS_URL: /);
  });

  it('is accepted with REDIS_ALLOW_EVICTION=true', async () => {
    const idp = await startIdp({ REDIS_URL: evicting.url, REDIS_ALLOW_EVICTION: 'true' });
    try {
      expect((await fetch(`${idp.url}/readyz`)).status).toBe(200);
    } finally {
      await idp.kill();
    }
  }, 60_000);
});
