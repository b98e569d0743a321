import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRedis, type TestRedis } from '@latchkey/testing';
import { connectRedisAdapter, RedisAdapter } from './redis-adapter.js';

let redis: TestRedis;

beforeAll(async () => {
  redis = await startTestRedis();
  connectRedisAdapter(redis.url);
});

afterAll(async () => {
  await redis.kill();
});

describe("the peer's Redis adapter (oidc-provider's adapter interface)", () => {
  it('finds what it stored, by id, uid and user code, and nothing else', async () => {
    const sessions = new RedisAdapter('Session');
    await sessions.upsert('s1', { uid: 'u1', accountId: 'alice' }, 60);
    expect(await sessions.find('s1')).toEqual({ uid: 'u1', accountId: 'alice' });
    expect(await sessions.findByUid('u1')).toEqual({ uid: 'u1', accountId: 'alice' });
    expect(await sessions.find('s2')).toBeUndefined();
    const devices = new RedisAdapter('DeviceCode');
    await devices.upsert('d1', { userCode: 'ABCD-EFGH', grantId: 'g0' }, 60);
    expect((await devices.findByUserCode('ABCD-EFGH'))?.grantId).toBe('g0');
  });

  it('marks a code consumed, and an upsert replaces the whole record', async () => {
    const codes = new RedisAdapter('AuthorizationCode');
    await codes.upsert('c1', { grantId: 'g1', scope: 'openid' }, 60);
    await codes.consume('c1');
    expect(typeof (await codes.find('c1'))?.consumed).toBe('number');
    await codes.upsert('c1', { grantId: 'g1', scope: 'profile' }, 60);
    expect(await codes.find('c1')).toEqual({ grantId: 'g1', scope: 'profile' });
  });

  it("revoking a grant removes every token of it and no other grant's", async () => {
    const refresh = new RedisAdapter('RefreshToken');
    const access = new RedisAdapter('AccessToken');
    await refresh.upsert('r1', { grantId: 'g2' }, 600);
    await access.upsert('a1', { grantId: 'g2' }, 60);
    await access.upsert('a2', { grantId: 'g3' }, 60);
    await refresh.revokeByGrantId('g2');
    expect(await refresh.find('r1')).toBeUndefined();
    expect(await access.find('a1')).toBeUndefined();
    expect(await access.find('a2')).toEqual({ grantId: 'g3' });
  });

  it('lets records expire with their model', async () => {
    const tokens = new RedisAdapter('AccessToken');
    await tokens.upsert('short', { grantId: 'g4' }, 1);
    await expect.poll(() => tokens.find('short'), { timeout: 5_000 }).toBeUndefined();
  });
});
