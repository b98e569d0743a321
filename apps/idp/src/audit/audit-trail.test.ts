import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import { createLogger } from '../logger.js';
import { freshTestDatabase } from '../test-support/test-database.js';
import { REDACTED } from './audit-event.js';
import { createAuditLog } from './audit-trail.js';

const DAY = 24 * 60 * 60_000;
let database: Database;
beforeAll(async () => {
  database = await freshTestDatabase();
});
afterAll(() => database.close());

function trail(clock: { now: number }, lines: string[] = []) {
  return createAuditLog({
    database,
    logger: createLogger('info', (line) => lines.push(line)),
    now: () => clock.now,
  });
}

describe('the audit trail', () => {
  it('writes each event as a row and as one JSON line at info', async () => {
    const clock = { now: Date.UTC(2026, 5, 1) };
    const lines: string[] = [];
    const audit = trail(clock, lines);
    await audit.record({
      type: 'login.failed',
      actor: { kind: 'user', id: 'id-mallory' },
      subject: 'id-alice',
      client: 'shop',
      request: { address: '192.0.2.1', userAgent: 'Firefox/140', requestId: 'req-1' },
      detail: { reason: 'wrong_password' },
    });
    const [event] = await audit.list({ subject: 'id-alice', type: 'login.failed' }, 10);
    expect(event).toMatchObject({
      at: new Date(clock.now),
      type: 'login.failed',
      actor: { kind: 'user', id: 'id-mallory' },
      subject: 'id-alice',
      client: 'shop',
      session: null,
      address: '192.0.2.1',
      userAgent: 'Firefox/140',
      requestId: 'req-1',
      detail: { reason: 'wrong_password' },
    });
    const line = JSON.parse(lines.at(-1)!) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'info', event: 'audit', type: 'login.failed' });
  });

  it('no secret reaches it: details under a secret name are replaced, in the row and the line', async () => {
    const clock = { now: Date.UTC(2026, 5, 2) };
    const lines: string[] = [];
    const audit = trail(clock, lines);
    const secrets = {
      password: 'hunter2-hunter2',
      refresh_token: 'rt-abc',
      client_secret: 'shop-demo-secret',
      code_verifier: 'v'.repeat(43),
      otp: '123456',
    };
    await audit.record({ type: 'grant.refused', subject: 'id-secrets', detail: secrets });
    const [event] = await audit.list({ subject: 'id-secrets' }, 1);
    for (const name of Object.keys(secrets)) expect(event!.detail[name]).toBe(REDACTED);
    const dump = JSON.stringify(await database.query('SELECT * FROM audit_events')) + lines.join();
    for (const value of Object.values(secrets)) expect(dump).not.toContain(value);
  });

  it('lists newest first, filtered, and pages by id', async () => {
    const clock = { now: Date.UTC(2026, 5, 3) };
    const audit = trail(clock);
    for (let i = 0; i < 5; i += 1) {
      clock.now += 1000;
      await audit.record({ type: 'token.revoked', client: 'paging', detail: { n: i } });
    }
    const first = await audit.list({ client: 'paging' }, 2);
    expect(first.map((e) => e.detail.n)).toEqual([4, 3]);
    const next = await audit.list({ client: 'paging', before: first.at(-1)!.id }, 10);
    expect(next.map((e) => e.detail.n)).toEqual([2, 1, 0]);
    const window = await audit.list(
      {
        client: 'paging',
        from: new Date(Date.UTC(2026, 5, 3) + 2000),
        to: new Date(Date.UTC(2026, 5, 3) + 4000),
      },
      10,
    );
    expect(window.map((e) => e.detail.n)).toEqual([2, 1]);
  });

  it('search terms with SQL metacharacters and unicode are values, not SQL', async () => {
    const audit = trail({ now: Date.UTC(2026, 5, 4) });
    const odd = 'o\'brien"; DROP TABLE audit_events; -- 李雷 😀';
    await audit.record({ type: 'user.created', subject: odd });
    expect((await audit.list({ subject: odd }, 5)).map((e) => e.subject)).toEqual([odd]);
    expect(await audit.list({ subject: `${odd}%` }, 5)).toEqual([]);
  });

  it('is append-only: an update, a truncate or the delete of a recent event is refused', async () => {
    const audit = trail({ now: Date.now() });
    await audit.record({ type: 'key.rotated', detail: { kid: 'k-append' } });
    await expect(database.query(`UPDATE audit_events SET type = 'x'`)).rejects.toThrow(
      /append-only/,
    );
    await expect(database.query('TRUNCATE audit_events')).rejects.toThrow(/append-only/);
    await expect(
      database.query(`DELETE FROM audit_events WHERE detail->>'kid' = 'k-append'`),
    ).rejects.toThrow(/append-only/);
    expect(await audit.list({ type: 'key.rotated' }, 10)).toHaveLength(1);
  });

  it('prunes what is older than the retention, and only that', async () => {
    const clock = { now: Date.now() - 100 * DAY };
    const audit = trail(clock);
    for (let i = 0; i < 7; i += 1) await audit.record({ type: 'session.revoked', client: 'prune' });
    clock.now = Date.now();
    await audit.record({ type: 'session.revoked', client: 'prune' });
    const removed = await audit.prune(new Date(Date.now() - 90 * DAY), 3);
    expect(removed).toBeGreaterThanOrEqual(7);
    expect(await audit.list({ client: 'prune' }, 10)).toHaveLength(1);
  });

  it('a row the database cannot take is logged at error with the event; the caller goes on', async () => {
    const closed = await freshTestDatabase();
    await closed.close();
    const lines: string[] = [];
    const audit = createAuditLog({
      database: closed,
      logger: createLogger('info', (line) => lines.push(line)),
      now: Date.now,
    });
    await audit.record({ type: 'login.succeeded', subject: 'id-bob' });
    const failed = lines
      .map((line) => JSON.parse(line) as { event: string })
      .find((line) => line.event === 'audit.write_failed');
    expect(failed).toMatchObject({
      level: 'error',
      audit: { type: 'login.succeeded', subject: 'id-bob' },
    });
  });
});
