import { encodeRevocationReloadNotice, revocationKeys, type Revocation } from '@latchkey/protocol';
import { startTestRedis, waitFor, type TestRedis } from '@latchkey/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { outcome, writeRevocation } from '../test-support/revocations.js';
import {
  createRedisRevocationSource,
  type RedisRevocationSource,
} from './redis-revocation-source.js';
import type { RedisRevocationSourceOptions } from './redis-source-options.js';

/** The Redis source against a real redis-server that stays up; outages are in *.outage.*. */

let redis: TestRedis;
let writer: Redis;
const sources: RedisRevocationSource[] = [];

function source(options: Partial<RedisRevocationSourceOptions> = {}): RedisRevocationSource {
  const created = createRedisRevocationSource({ url: redis.url, maxStalenessMs: 500, ...options });
  sources.push(created);
  return created;
}

const nowSec = (): number => Math.floor(Date.now() / 1000);
const inAMinute = (): number => Date.now() + 60_000;
const session = (sid: string, expiresAt = inAMinute()): Revocation => ({
  kind: 'session',
  sid,
  expiresAt,
});
const token = (sid: string, sub = 'user-1', iat = nowSec()) => ({ sub, sid, iat });

describe('Redis revocation source', { timeout: 30_000 }, () => {
  beforeAll(async () => {
    redis = await startTestRedis();
    writer = new Redis(redis.url);
  });
  afterAll(async () => {
    writer.disconnect();
    await redis.kill();
  });
  beforeEach(async () => {
    await writer.flushall();
  });
  afterEach(async () => {
    await Promise.all(sources.splice(0).map((s) => s.close()));
  });

  it('fails closed until its first load, then answers', async () => {
    const s = source();
    expect(outcome(() => s.check(token('sid-1')))).toBe('ERR_REVOCATION_STALE');
    expect(s.status).toMatchObject({ state: 'starting', stale: true });
    await s.ready({ signal: AbortSignal.timeout(5_000) });
    expect(outcome(() => s.check(token('sid-1')))).toBe('valid');
    expect(s.status).toMatchObject({ state: 'synced', stale: false });
  });

  it('loads the revocations written before it started, skipping expired ones', async () => {
    await writeRevocation(writer, session('sid-early'));
    await writeRevocation(writer, {
      kind: 'subject',
      sub: 'user-2',
      notBefore: nowSec(),
      expiresAt: inAMinute(),
    });
    await writer.zadd(revocationKeys.set, Date.now() - 1_000, 'sid:sid-old');

    const s = source();
    await s.ready({ signal: AbortSignal.timeout(5_000) });
    expect(outcome(() => s.check(token('sid-early')))).toBe('ERR_TOKEN_REVOKED');
    expect(outcome(() => s.check(token('other', 'user-2', nowSec() - 10)))).toBe(
      'ERR_TOKEN_REVOKED',
    );
    expect(outcome(() => s.check(token('sid-old')))).toBe('valid');
    expect(s.status.entries).toBe(2);
  });

  it('applies a published revocation within milliseconds', async () => {
    const s = source();
    await s.ready({ signal: AbortSignal.timeout(5_000) });
    expect(outcome(() => s.check(token('sid-1')))).toBe('valid');

    await writeRevocation(writer, session('sid-1'));
    await waitFor('the notice to revoke sid-1', () => s.status.entries === 1, {
      timeoutMs: 100,
      intervalMs: 1,
    });
    expect(outcome(() => s.check(token('sid-1')))).toBe('ERR_TOKEN_REVOKED');
    expect(outcome(() => s.check(token('sid-2')))).toBe('valid');
  });

  it('loads the set again when the IdP asks (it put back what a restored Redis lost)', async () => {
    const s = source();
    await s.ready({ signal: AbortSignal.timeout(5_000) });
    // Written without a notice, as the IdP puts revocations back after a restore...
    await writer.zadd(revocationKeys.set, inAMinute(), 'sid:put-back');
    expect(outcome(() => s.check(token('put-back')))).toBe('valid');
    // ...then the one notice that asks every reader to load the set again.
    await writer.publish(revocationKeys.channel, encodeRevocationReloadNotice());
    await waitFor('the reload', () => s.status.entries === 1, { timeoutMs: 5_000 });
    expect(outcome(() => s.check(token('put-back')))).toBe('ERR_TOKEN_REVOKED');
  });

  it('refuses a revoked signing key, pushed or loaded, and only that key', async () => {
    await writeRevocation(writer, { kind: 'key', kid: 'kid-loaded', expiresAt: inAMinute() });
    const s = source();
    await s.ready({ signal: AbortSignal.timeout(5_000) });
    expect(outcome(() => s.checkKey('kid-loaded'))).toBe('ERR_KEY_REVOKED');
    expect(outcome(() => s.checkKey('kid-pushed'))).toBe('valid');

    await writeRevocation(writer, { kind: 'key', kid: 'kid-pushed', expiresAt: inAMinute() });
    await waitFor('the notice to revoke kid-pushed', () => s.status.entries === 2, {
      timeoutMs: 100,
      intervalMs: 1,
    });
    expect(outcome(() => s.checkKey('kid-pushed'))).toBe('ERR_KEY_REVOKED');
    expect(outcome(() => s.checkKey('kid-other'))).toBe('valid');
    // A key revocation names no session: the claims check is unaffected.
    expect(outcome(() => s.check(token('sid-1')))).toBe('valid');
  });

  it('revokes a subject by iat: tokens issued before notBefore, not after', async () => {
    const s = source();
    await s.ready({ signal: AbortSignal.timeout(5_000) });
    const notBefore = nowSec();
    await writeRevocation(writer, {
      kind: 'subject',
      sub: 'user-1',
      notBefore,
      expiresAt: inAMinute(),
    });
    await waitFor('the subject notice', () => s.status.entries === 1, { timeoutMs: 1_000 });

    expect(outcome(() => s.check(token('a', 'user-1', notBefore - 1)))).toBe('ERR_TOKEN_REVOKED');
    expect(outcome(() => s.check(token('b', 'user-1', notBefore)))).toBe('valid');
    expect(outcome(() => s.check(token('a', 'user-2', notBefore - 1)))).toBe('valid');
  });

  it('forgets a revocation once it has expired, and frees its memory', async () => {
    const s = source({ maxStalenessMs: 200 });
    await s.ready({ signal: AbortSignal.timeout(5_000) });
    await writeRevocation(writer, session('sid-brief', Date.now() + 300));
    await writeRevocation(writer, session('sid-unasked', Date.now() + 300));
    await waitFor('both notices', () => s.status.entries === 2, { timeoutMs: 1_000 });
    expect(outcome(() => s.check(token('sid-brief')))).toBe('ERR_TOKEN_REVOKED');

    // sid-unasked is never looked up again: only the periodic sweep can drop it.
    await waitFor('the entries to expire', () => s.status.entries === 0, { timeoutMs: 2_000 });
    expect(outcome(() => s.check(token('sid-brief')))).toBe('valid');
  });

  it('ignores malformed notices and keeps working', async () => {
    const warnings: string[] = [];
    const logger = { info() {}, warn: (event: string) => void warnings.push(event) };
    const s = source({ logger });
    await s.ready({ signal: AbortSignal.timeout(5_000) });

    for (const junk of [
      'not json',
      '{"member":"sid:x"}',
      '{"member":"jti:x","expiresAt":1}',
      JSON.stringify({ member: 'sid:x', expiresAt: '9999999999999' }),
      '[]',
    ]) {
      await writer.publish(revocationKeys.channel, junk);
    }
    await writeRevocation(writer, session('sid-good'));
    await waitFor('the valid notice after the junk', () => s.status.entries === 1, {
      timeoutMs: 1_000,
    });

    expect(outcome(() => s.check(token('sid-good')))).toBe('ERR_TOKEN_REVOKED');
    expect(outcome(() => s.check(token('x')))).toBe('valid');
    expect(warnings.filter((w) => w === 'revocation.notice_ignored')).toHaveLength(5);
    expect(s.status.state).toBe('synced');
  });

  it('keeps confirming its state with a heartbeat while nothing happens', async () => {
    const s = source({ maxStalenessMs: 200 });
    await s.ready({ signal: AbortSignal.timeout(5_000) });
    const first = s.status.confirmedAt!;
    await waitFor('a heartbeat', () => s.status.confirmedAt! > first, { timeoutMs: 1_000 });
    // Several times the staleness bound later, still fresh.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(outcome(() => s.check(token('sid-1')))).toBe('valid');
    expect(s.status.stale).toBe(false);
  });

  it('copies the connection of a given ioredis client, ignoring its key prefix', async () => {
    const app = new Redis(redis.url, { lazyConnect: true, keyPrefix: 'app:' });
    await writeRevocation(writer, session('sid-1'));
    const s = source({ url: undefined, redis: app });
    await s.ready({ signal: AbortSignal.timeout(5_000) });
    expect(outcome(() => s.check(token('sid-1')))).toBe('ERR_TOKEN_REVOKED');
    expect(app.status).toBe('wait');
  });

  it('closes its connections and timers, leaving nothing to keep the process alive', async () => {
    const clientCount = async () =>
      String(await writer.client('LIST'))
        .trim()
        .split('\n').length;
    // What keeps a process alive: sockets and (ref'd) timers.
    const handles = (): string[] =>
      process.getActiveResourcesInfo().filter((type) => /TCP|Timeout|Immediate/.test(type));
    const baseline = await clientCount();
    const before = handles();

    const s = source({ maxStalenessMs: 100 });
    await s.ready({ signal: AbortSignal.timeout(5_000) });
    expect(await clientCount()).toBe(baseline + 2);
    await s.close();
    await s.close();

    await waitFor(
      'Redis to see both connections go',
      async () => (await clientCount()) === baseline,
    );
    expect(handles().length).toBeLessThanOrEqual(before.length);
    expect(s.status.state).toBe('closed');
    await expect(s.ready()).rejects.toMatchObject({ code: 'ERR_REVOCATION_STALE' });
  });

  it('rejects ready() when closed before the first load', async () => {
    const s = source({ url: 'redis://127.0.0.1:1' });
    const ready = s.ready();
    await s.close();
    await expect(ready).rejects.toMatchObject({ code: 'ERR_REVOCATION_STALE' });
  });
});
