import { startTestRedis, waitFor, type TestRedis } from '@latchkey/testing';
import { Redis } from 'ioredis';
import { register as globalRegistry, Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createRedisRevocationSource,
  type RedisRevocationSource,
} from '../revocation/redis-revocation-source.js';
import { createFixture, type Fixture } from '../test-support/fixture.js';
import { sign } from '../test-support/keys.js';
import { writeRevocation } from '../test-support/revocations.js';
import { createVerifier } from '../verifier.js';
import { createPrometheusMetrics } from './prometheus-metrics.js';
import type { SdkMetrics } from './sdk-metrics.js';

/**
 * The SDK's metrics on a real prom-client registry: a verifier against the stand-in IdP and
 * the Redis revocation source against a real redis-server, each counter moved by exactly
 * what happened.
 */

let f: Fixture;
let redis: TestRedis;
let writer: Redis;
let registry: Registry;
let metrics: SdkMetrics;
let source: RedisRevocationSource;

/** A sample's value; 0 when the series does not exist (yet). */
async function value(name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name.replace(/_(?:count|sum|bucket)$/, ''));
  if (metric === undefined) throw new Error(`${name} is not registered`);
  const { values } = await metric.get();
  const found = values.find(
    (sample) =>
      ('metricName' in sample ? sample.metricName : name) === name &&
      Object.entries(labels).every(([key, wanted]) => String(sample.labels[key]) === wanted),
  );
  return found?.value ?? 0;
}

describe('Prometheus metrics of the SDK', { timeout: 30_000 }, () => {
  beforeAll(async () => {
    f = await createFixture();
    redis = await startTestRedis();
    writer = new Redis(redis.url);
    writer.on('error', () => {});
    registry = new Registry();
    metrics = createPrometheusMetrics(registry);
    source = createRedisRevocationSource({ url: redis.url, maxStalenessMs: 2_000, metrics });
    await source.ready({ signal: AbortSignal.timeout(5_000) });
  });
  afterAll(async () => {
    await source?.close();
    writer?.disconnect();
    await redis?.kill();
    await f?.idp.close();
  });
  beforeEach(() => {
    f.reset();
    // Token times on the same clock as the revocation records.
    f.clock.ms = Date.now();
  });

  it('counts verifications by outcome: valid, each refusal by its code, caller mistakes', async () => {
    const verifier = f.verifier({ revocation: source, metrics });
    const verifications = (outcome: string, token = 'access') =>
      value('latchkey_sdk_verifications_total', { token, outcome });
    const valid = await sign(f.keys.es256, f.accessClaims({ sid: 'sid-kept' }));
    const expired = await sign(
      f.keys.es256,
      f.accessClaims({ iat: f.nowSec() - 600, exp: f.nowSec() - 300 }),
    );
    const revoked = await sign(f.keys.es256, f.accessClaims({ sid: 'sid-gone' }));
    await writeRevocation(writer, {
      kind: 'session',
      sid: 'sid-gone',
      expiresAt: f.clock.ms + 60_000,
    });
    await waitFor('the revocation to arrive', () => source.status.entries >= 1);

    await verifier.verifyAccessToken(valid);
    await verifier.verifyAccessToken(valid); // from the verified-token cache: counted all the same
    await expect(verifier.verifyAccessToken(expired)).rejects.toMatchObject({
      code: 'ERR_TOKEN_EXPIRED',
    });
    await expect(verifier.verifyAccessToken(revoked)).rejects.toMatchObject({
      code: 'ERR_TOKEN_REVOKED',
    });
    await expect(verifier.verifyAccessToken('not.a.jwt')).rejects.toMatchObject({
      code: 'ERR_TOKEN_MALFORMED',
    });
    const withoutClient = f.verifier({ clientId: undefined, metrics });
    await expect(withoutClient.verifyIdToken(valid)).rejects.toBeInstanceOf(TypeError);

    expect(await verifications('valid')).toBe(2);
    expect(await verifications('ERR_TOKEN_EXPIRED')).toBe(1);
    expect(await verifications('ERR_TOKEN_REVOKED')).toBe(1);
    expect(await verifications('ERR_TOKEN_MALFORMED')).toBe(1);
    expect(await verifications('other', 'id')).toBe(1);
  });

  it('counts JWKS fetches by outcome: a new set, a 304, a failure', async () => {
    const fetches = (outcome: string) => value('latchkey_sdk_jwks_fetches_total', { outcome });
    const before = {
      updated: await fetches('updated'),
      notModified: await fetches('not_modified'),
      error: await fetches('error'),
    };
    f.idp.etag = '"v1"';
    f.idp.cacheControl = 'max-age=60';
    const verifier = f.verifier({ metrics, jwks: { cacheMinMs: 0, cooldownMs: 0 } });
    const token = await sign(f.keys.es256, f.accessClaims());
    await verifier.verifyAccessToken(token);
    f.clock.ms += 61_000;
    await verifier.verifyAccessToken(await sign(f.keys.es256, f.accessClaims()));
    f.idp.mode = 'error500';
    f.clock.ms += 61_000;
    await verifier.verifyAccessToken(await sign(f.keys.es256, f.accessClaims()));

    expect(f.idp.jwksRequests).toBe(3);
    expect((await fetches('updated')) - before.updated).toBe(1);
    expect((await fetches('not_modified')) - before.notModified).toBe(1);
    expect((await fetches('error')) - before.error).toBe(1);
  });

  it('counts a notice applied through real Redis, and its lag from the IdP', async () => {
    const lagCount = () => value('latchkey_sdk_revocation_lag_seconds_count', { source: 'redis' });
    const lagSum = () => value('latchkey_sdk_revocation_lag_seconds_sum', { source: 'redis' });
    const applied = () =>
      value('latchkey_sdk_revocation_notices_applied_total', { source: 'redis', kind: 'subject' });
    const [appliedBefore, countBefore, sumBefore] = [
      await applied(),
      await lagCount(),
      await lagSum(),
    ];
    const entries = source.status.entries;
    // Revoked "250 ms ago" by the IdP's clock: the lag is at least that.
    const revocation = {
      kind: 'subject',
      sub: 'bob',
      notBefore: f.nowSec(),
      expiresAt: Date.now() + 60_000,
    } as const;
    await writeRevocation(writer, revocation, Date.now() - 250);
    await waitFor('the notice to arrive', () => source.status.entries > entries);

    expect((await applied()) - appliedBefore).toBe(1);
    expect((await lagCount()) - countBefore).toBe(1);
    const lag = (await lagSum()) - sumBefore;
    expect(lag).toBeGreaterThanOrEqual(0.25);
    expect(lag).toBeLessThan(5);
    // Falls in a bucket between 250 ms and 500 ms or so, not in the +Inf one only.
    expect(
      await value('latchkey_sdk_revocation_lag_seconds_bucket', { source: 'redis', le: '5' }),
    ).toBe(await lagCount());
  });

  it('reads the staleness of a watched source at scrape time, and forgets it once closed', async () => {
    expect(await value('latchkey_sdk_revocation_stale', { source: 'redis' })).toBe(0);
    const age = await value('latchkey_sdk_revocation_state_age_seconds', { source: 'redis' });
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(2);

    const other = new Registry();
    const otherMetrics = createPrometheusMetrics(other);
    const unreachable = createRedisRevocationSource({
      url: 'redis://127.0.0.1:1',
      metrics: otherMetrics,
    });
    const stale = async () => {
      const { values } = await other.getSingleMetric('latchkey_sdk_revocation_stale')!.get();
      return values;
    };
    expect(await stale()).toEqual([
      expect.objectContaining({ labels: { source: 'redis' }, value: 1 }),
    ]);
    await unreachable.close();
    expect(await stale()).toEqual([]);
  });

  it('registers nothing, anywhere, without the option; refuses a metrics object that is not one', async () => {
    const before = (await globalRegistry.getMetricsAsJSON()).length;
    const plain = createVerifier({
      issuer: f.idp.issuer,
      audience: 'https://api.example.test',
      jwksUri: f.idp.jwksUri,
    });
    await plain.verifyAccessToken(await sign(f.keys.es256, f.accessClaims()));
    const quiet = createRedisRevocationSource({ url: redis.url });
    await quiet.ready({ signal: AbortSignal.timeout(5_000) });
    await quiet.close();
    expect((await globalRegistry.getMetricsAsJSON()).length).toBe(before);
    expect(before).toBe(0);

    expect(() => f.verifier({ metrics: registry as unknown as SdkMetrics })).toThrow(TypeError);
    expect(() =>
      createRedisRevocationSource({ url: redis.url, metrics: {} as SdkMetrics }),
    ).toThrow(TypeError);
  });
});
