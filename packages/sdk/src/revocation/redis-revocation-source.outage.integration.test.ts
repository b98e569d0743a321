import type { Revocation } from '@latchkey/protocol';
import { startTcpGate, startTestRedis, waitFor, type TcpGate } from '@latchkey/testing';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { outcome, writeRevocation } from '../test-support/revocations.js';
import {
  createRedisRevocationSource,
  type RedisRevocationSource,
} from './redis-revocation-source.js';
import type { RedisRevocationSourceOptions } from './redis-source-options.js';

/** The Redis source when Redis crashes and comes back: each test has its own redis-server. */

const MAX_STALENESS_MS = 400;
const cleanup: (() => Promise<unknown> | void)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function setUp(options: Partial<RedisRevocationSourceOptions> = {}) {
  const redis = await startTestRedis();
  cleanup.push(() => redis.kill());
  const writer = new Redis(redis.url, { retryStrategy: () => 20 });
  writer.on('error', () => {}); // it sees the same outages as the source
  cleanup.push(() => writer.disconnect());
  const source = createRedisRevocationSource({
    url: redis.url,
    maxStalenessMs: MAX_STALENESS_MS,
    ...options,
  });
  cleanup.push(() => source.close());
  return { redis, writer, source };
}

const nowSec = (): number => Math.floor(Date.now() / 1000);
const session = (sid: string): Revocation => ({
  kind: 'session',
  sid,
  expiresAt: Date.now() + 60_000,
});
const token = (sid: string) => ({ sub: 'user-1', sid, iat: nowSec() });

async function ready(source: RedisRevocationSource): Promise<void> {
  await source.ready({ signal: AbortSignal.timeout(5_000) });
}

describe('Redis revocation source during a Redis outage', { timeout: 30_000 }, () => {
  it('fails closed as soon as it knows its subscription dropped, before maxStalenessMs', async () => {
    // A bound far above the detection time, so that a refusal within it can only come from
    // seeing the drop, even on a loaded machine.
    const maxStalenessMs = 4_000;
    const { redis, writer, source } = await setUp({ maxStalenessMs });
    await ready(source);
    await writeRevocation(writer, session('sid-revoked'));
    await waitFor('the notice', () => source.status.entries === 1);

    await redis.kill();
    // The closed socket is seen at once; a revocation written elsewhere from now on could be
    // missed, so nothing is answered from this state, not even within maxStalenessMs.
    await waitFor(
      'the source to refuse',
      () => outcome(() => source.check(token('sid-1'))) === 'ERR_REVOCATION_STALE',
      { timeoutMs: maxStalenessMs / 2 },
    );
    expect(source.status).toMatchObject({ state: 'resyncing', stale: false });
    expect(outcome(() => source.check(token('sid-revoked')))).toBe('ERR_REVOCATION_STALE');

    // And once the bound has passed it is stale by age too.
    await waitFor('the state to go stale', () => source.status.stale, {
      timeoutMs: 3 * maxStalenessMs,
    });
    expect(outcome(() => source.check(token('sid-1')))).toBe('ERR_REVOCATION_STALE');
  });

  it('with failOpen, answers from the last known state instead', async () => {
    const warnings: string[] = [];
    const logger = { info() {}, warn: (event: string) => void warnings.push(event) };
    const { redis, writer, source } = await setUp({ failOpen: true, logger });
    await ready(source);
    await writeRevocation(writer, session('sid-revoked'));
    await waitFor('the notice', () => source.status.entries === 1);

    await redis.kill();
    await waitFor('the state to go stale', () => source.status.stale, {
      timeoutMs: 3 * MAX_STALENESS_MS,
    });
    expect(outcome(() => source.check(token('sid-1')))).toBe('valid');
    expect(outcome(() => source.check(token('sid-revoked')))).toBe('ERR_TOKEN_REVOKED');
    await waitFor('the stale warning', () => warnings.includes('revocation.stale'));
    expect(warnings).toContain('revocation.subscription_lost');
  });

  it('applies revocations made while it was away before it answers valid again', async () => {
    // The source reaches Redis through a gate, so the test decides when it may reconnect.
    const redis0 = await startTestRedis();
    cleanup.push(() => redis0.kill());
    const gate: TcpGate = await startTcpGate(redis0.port);
    cleanup.push(() => gate.close());
    const writer = new Redis(redis0.url, { retryStrategy: () => 20 });
    writer.on('error', () => {});
    cleanup.push(() => writer.disconnect());
    const source = createRedisRevocationSource({
      url: `redis://127.0.0.1:${gate.port}`,
      maxStalenessMs: MAX_STALENESS_MS,
    });
    cleanup.push(() => source.close());
    await ready(source);
    expect(outcome(() => source.check(token('sid-1')))).toBe('valid');

    gate.shut();
    await redis0.kill();
    await waitFor('the state to go stale', () => source.status.stale, {
      timeoutMs: 3 * MAX_STALENESS_MS,
    });

    // Redis is back, empty, and the IdP revokes while the source still cannot reach it.
    await redis0.start();
    await waitFor('the writer to reconnect', () => writer.status === 'ready');
    await writeRevocation(writer, session('sid-1'));
    expect(source.status.stale).toBe(true);

    gate.open();
    const seen = new Set<string>();
    await waitFor(
      'the revocation to be applied',
      () => {
        const result = outcome(() => source.check(token('sid-1')));
        seen.add(result);
        return result === 'ERR_TOKEN_REVOKED';
      },
      { timeoutMs: 10_000, intervalMs: 1 },
    );
    // Stale until the reload, then revoked: never a moment in which the revoked token passed.
    expect([...seen]).not.toContain('valid');
    expect(outcome(() => source.check(token('sid-2')))).toBe('valid');
    expect(source.status).toMatchObject({ state: 'synced', stale: false });
  });

  it('reloads after a restart and keeps a revocation the emptied Redis lost', async () => {
    const { redis, writer, source } = await setUp();
    await ready(source);
    await writeRevocation(writer, session('sid-before'));
    await waitFor('the notice', () => source.status.entries === 1);

    await redis.kill();
    await redis.start();
    await waitFor(
      'the source to resync',
      () => source.status.state === 'synced' && !source.status.stale,
      {
        timeoutMs: 10_000,
      },
    );
    await writeRevocation(writer, session('sid-after'));
    await waitFor('the notice on the new subscription', () => source.status.entries === 2, {
      timeoutMs: 2_000,
    });
    expect(outcome(() => source.check(token('sid-after')))).toBe('ERR_TOKEN_REVOKED');
    expect(outcome(() => source.check(token('sid-before')))).toBe('ERR_TOKEN_REVOKED');
  });

  it('reconnects connections that stop answering (half-open sockets)', async () => {
    const redis = await startTestRedis();
    cleanup.push(() => redis.kill());
    const gate = await startTcpGate(redis.port);
    cleanup.push(() => gate.close());
    const warnings: string[] = [];
    const logger = { info() {}, warn: (event: string) => void warnings.push(event) };
    const source = createRedisRevocationSource({
      url: `redis://127.0.0.1:${gate.port}`,
      maxStalenessMs: MAX_STALENESS_MS,
      logger,
    });
    cleanup.push(() => source.close());
    await ready(source);

    gate.blackhole();
    await waitFor('the state to go stale', () => source.status.stale, {
      timeoutMs: 3 * MAX_STALENESS_MS,
    });
    expect(outcome(() => source.check(token('sid-1')))).toBe('ERR_REVOCATION_STALE');
    await waitFor('the source to resync over fresh connections', () => !source.status.stale, {
      timeoutMs: 10_000,
    });
    expect(warnings).toEqual(
      expect.arrayContaining(['revocation.heartbeat_timeout', 'revocation.load_timeout']),
    );
    expect(outcome(() => source.check(token('sid-1')))).toBe('valid');
  });

  it('never crashes the process while Redis stays down', async () => {
    const { redis, source } = await setUp();
    await ready(source);
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown): void => void rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    cleanup.push(() => {
      process.off('unhandledRejection', onRejection);
    });

    await redis.kill();
    // Several heartbeats, load retries and reconnect attempts against a dead port.
    await new Promise((resolve) => setTimeout(resolve, 4 * MAX_STALENESS_MS));
    await redis.start();
    await waitFor('the source to resync', () => !source.status.stale, { timeoutMs: 10_000 });
    expect(rejections).toEqual([]);
  });
});
