import { Redis } from 'ioredis';
import { revocationKeys, storeKeys } from '@latchkey/protocol';
import { startTestRedis, type TestRedis } from '@latchkey/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '../../store/create-store.js';
import { codeFor, redeem, refresh, SHOP, signIn } from '../../test-support/grants.js';
import { startTestIdp, type TestIdp } from '../../test-support/test-idp.js';

/** The atomicity the specs ask for, against a real Redis and real concurrent HTTP requests. */
let redis: TestRedis;
let idp: TestIdp;
let inspect: Redis;
beforeAll(async () => {
  redis = await startTestRedis();
  idp = await startTestIdp({ REDIS_URL: redis.url }, createStore(redis.url));
  inspect = new Redis(redis.url);
}, 30_000);
afterAll(async () => {
  inspect?.disconnect();
  await idp?.close();
  await redis?.kill();
});

const familyKeys = () => inspect.keys(storeKeys.refreshFamily('*'));

describe('single use under concurrency (Redis)', () => {
  it('RFC 6749 4.1.2: twenty concurrent redemptions of one code → exactly one success; the rest invalid_grant', async () => {
    const { session } = await signIn(idp, { username: 'racer' });
    const issued = await codeFor(idp.store, session, SHOP);
    const familiesBefore = (await familyKeys()).length;
    const results = await Promise.all(Array.from({ length: 20 }, () => redeem(idp, issued, SHOP)));
    const statuses = results.map((result) => result.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(
      results.filter((r) => r.status === 400 && r.json.error === 'invalid_grant'),
    ).toHaveLength(19);
    // The losers were replays: the session the code belongs to is revoked, in Redis.
    expect(await idp.sessions.find(session.sid, Date.now())).toBeNull();
    expect(await inspect.zscore(revocationKeys.set, `sid:${session.sid}`)).not.toBeNull();
    // At most the winner's one refresh family was written.
    expect((await familyKeys()).length - familiesBefore).toBeLessThanOrEqual(1);
  });

  it('OAuth 2.1 4.3.1: twenty concurrent uses of one refresh token → at most one new pair, and reuse revokes the session', async () => {
    const { session } = await signIn(idp, { username: 'refresher' });
    const first = await redeem(idp, await codeFor(idp.store, session, SHOP), SHOP);
    expect(first.status).toBe(200);
    const token = first.json.refresh_token as string;
    const results = await Promise.all(Array.from({ length: 20 }, () => refresh(idp, token, SHOP)));
    const winners = results.filter((result) => result.status === 200);
    expect(winners.length).toBeLessThanOrEqual(1);
    expect(results.every((r) => r.status === 200 || r.json.error === 'invalid_grant')).toBe(true);
    expect(await idp.sessions.find(session.sid, Date.now())).toBeNull();
    for (const winner of winners) {
      const again = await refresh(idp, winner.json.refresh_token as string, SHOP);
      expect(again.json.error).toBe('invalid_grant');
    }
  });

  it('a refresh family lives in Redis only as a digest, with a TTL no longer than the session', async () => {
    const { session } = await signIn(idp, { username: 'digest' });
    const before = new Set(await familyKeys());
    const result = await redeem(idp, await codeFor(idp.store, session, SHOP), SHOP);
    const token = result.json.refresh_token as string;
    const [key] = (await familyKeys()).filter((name) => !before.has(name));
    expect(key).toBeDefined();
    const raw = (await inspect.get(key!))!;
    expect(raw).not.toContain(token.split('.')[1]!);
    const ttl = await inspect.pttl(key!);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(session.expiresAt - Date.now() + 1000);
  });
});
