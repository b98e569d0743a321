import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import { createAuditLog } from '../audit/audit-trail.js';
import { createLogger, silentLogger } from '../logger.js';
import { freshTestDatabase } from '../test-support/test-database.js';
import type { AttemptResult } from './attempt-result.js';
import {
  DeliveryAbandonedError,
  type DeliveryKind,
  type DeliveryRequest,
} from './delivery-kind.js';
import { createDeliveryOutbox, type DeliveryOutbox } from './delivery-outbox.js';
import { createDeliveryWorker } from './delivery-worker.js';
import { claimDueRows, pruneFinishedRows, recordOutcome } from './outbox-queries.js';
import { sleep, waitFor } from '@latchkey/testing';

const backoff = { initialDelayMs: 1_000, maxDelayMs: 60_000, retryWindowMs: 600_000 };
const TARGET = 'http://127.0.0.1:9/receiver';

let db: Database;
let clock: number;
let outbox: DeliveryOutbox;
let sent: { target: string; message: DeliveryRequest }[];
let answers: AttemptResult[];
let rendered: { payload: unknown; attempt: number; now: number }[];
let logs: string[];

const echoKind: DeliveryKind = {
  name: 'echo',
  render(payload, attempt) {
    rendered.push({ payload, attempt: attempt.attempt, now: attempt.now });
    return Promise.resolve({
      contentType: 'text/plain',
      body: `secret-token-${attempt.attempt}`,
      headers: { 'x-attempt': String(attempt.attempt) },
    });
  },
};

function worker(kinds: readonly DeliveryKind[] = [echoKind]) {
  return createDeliveryWorker({
    database: db,
    outbox,
    kinds,
    logger: createLogger('info', (line) => logs.push(line)),
    now: () => clock,
    random: () => 1,
    backoff,
    timeoutMs: 1_000,
    post: (target, message) => {
      sent.push({ target, message });
      return Promise.resolve(answers.shift() ?? { type: 'answered', status: 200 });
    },
  });
}

const answered = (status: number): AttemptResult => ({ type: 'answered', status });

// One database for the file (a clone costs about a second); each test starts from no rows.
beforeAll(async () => {
  db = await freshTestDatabase();
});
afterAll(() => db.close());
beforeEach(async () => {
  await db.query('DELETE FROM delivery_outbox');
  clock = 1_000_000_000_000;
  outbox = createDeliveryOutbox({ database: db, now: () => clock, retryWindowMs: 600_000 });
  sent = [];
  answers = [];
  rendered = [];
  logs = [];
});

describe('delivery worker', () => {
  it('delivers a due row once and records it', async () => {
    await outbox.enqueue([{ kind: 'echo', target: TARGET, payload: { n: 1 } }]);
    const w = worker();
    expect(await w.runOnce()).toBe(1);
    expect(await w.runOnce()).toBe(0);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.target).toBe(TARGET);
    expect(rendered).toEqual([{ payload: { n: 1 }, attempt: 1, now: clock }]);
    const [row] = await outbox.list('echo');
    expect(row).toMatchObject({ state: 'delivered', attempts: 1, lastOutcome: 'HTTP 200' });
  });

  it('retries a 500 after the backoff and renders afresh, then delivers', async () => {
    await outbox.enqueue([{ kind: 'echo', target: TARGET, payload: {} }]);
    answers = [answered(500), answered(503)];
    const w = worker();
    await w.runOnce();
    expect((await outbox.list())[0]).toMatchObject({ state: 'pending', attempts: 1 });
    expect((await outbox.list())[0]!.nextAttemptAt).toBe(clock + 1_000);
    clock += 999;
    expect(await w.runOnce()).toBe(0);
    clock += 1;
    expect(await w.runOnce()).toBe(1);
    clock += 2_000;
    expect(await w.runOnce()).toBe(1);
    expect(sent.map(({ message }) => message.body)).toEqual([
      'secret-token-1',
      'secret-token-2',
      'secret-token-3',
    ]);
    expect((await outbox.list())[0]).toMatchObject({ state: 'delivered', attempts: 3 });
  });

  it('does not retry a 400', async () => {
    await outbox.enqueue([{ kind: 'echo', target: TARGET, payload: {} }]);
    answers = [answered(400)];
    const w = worker();
    await w.runOnce();
    clock += 86_400_000;
    expect(await w.runOnce()).toBe(0);
    expect((await outbox.list())[0]).toMatchObject({
      state: 'failed',
      attempts: 1,
      lastOutcome: 'HTTP 400',
    });
  });

  it('does not retry a redirect', async () => {
    await outbox.enqueue([{ kind: 'echo', target: TARGET, payload: {} }]);
    answers = [answered(302)];
    await worker().runOnce();
    expect((await outbox.list())[0]).toMatchObject({ state: 'failed', lastOutcome: 'HTTP 302' });
  });

  it('retries 429 and no answer, and gives up when the window is over', async () => {
    await outbox.enqueue([{ kind: 'echo', target: TARGET, payload: {} }]);
    const w = worker();
    answers = [answered(429)];
    await w.runOnce();
    expect((await outbox.list())[0]!.state).toBe('pending');
    for (let i = 0; i < 40 && (await outbox.list())[0]!.state === 'pending'; i++) {
      answers = [{ type: 'unreachable', reason: 'ECONNREFUSED' }];
      clock = (await outbox.list())[0]!.nextAttemptAt;
      await w.runOnce();
    }
    const [row] = await outbox.list();
    expect(row).toMatchObject({ state: 'failed', lastOutcome: 'unreachable: ECONNREFUSED' });
    // The last try fell on the deadline itself.
    expect(clock).toBe(1_000_000_000_000 + 600_000);
  });

  it('makes a row claimed by a dead worker due again after the lease', async () => {
    await outbox.enqueue([{ kind: 'echo', target: TARGET, payload: {} }]);
    const lease = 20_000; // max(2 × 1 s, 1 s + 10 s) = 11 s, and then some
    const [dead] = await claimDueRows(db, {
      now: clock,
      leaseUntil: clock + lease,
      claim: 'dead-worker',
      limit: 10,
    });
    const w = worker();
    expect(await w.runOnce()).toBe(0);
    clock += lease;
    expect(await w.runOnce()).toBe(1);
    expect(rendered[0]!.attempt).toBe(2);
    // The dead worker's late outcome does not overwrite the live one's.
    const kept = await recordOutcome(db, {
      id: dead!.id,
      claim: 'dead-worker',
      outcome: 'HTTP 500',
      now: clock,
      retryAt: clock + 1,
      state: 'pending',
    });
    expect(kept).toBe(false);
    expect((await outbox.list())[0]).toMatchObject({ state: 'delivered', lastOutcome: 'HTTP 200' });
  });

  it('marks a row failed without contacting anyone when the kind abandons it', async () => {
    const gone: DeliveryKind = {
      name: 'gone',
      render: () => Promise.reject(new DeliveryAbandonedError('client removed')),
    };
    await outbox.enqueue([{ kind: 'gone', target: TARGET, payload: {} }]);
    await worker([gone]).runOnce();
    expect(sent).toHaveLength(0);
    expect((await outbox.list())[0]).toMatchObject({ state: 'failed' });
  });

  it('keeps a row of an unknown kind for a build that knows it', async () => {
    await outbox.enqueue([{ kind: 'from-the-future', target: TARGET, payload: {} }]);
    await worker().runOnce();
    expect(sent).toHaveLength(0);
    expect((await outbox.list())[0]).toMatchObject({ state: 'pending', attempts: 1 });
  });

  it('retries when rendering fails for a passing reason (keys not loaded)', async () => {
    const flaky: DeliveryKind = {
      name: 'flaky',
      render: () => Promise.reject(new Error('signing keys unavailable')),
    };
    await outbox.enqueue([{ kind: 'flaky', target: TARGET, payload: {} }]);
    await worker([flaky]).runOnce();
    expect((await outbox.list())[0]).toMatchObject({ state: 'pending' });
  });

  it('logs outcomes at info without the body it sent', async () => {
    await outbox.enqueue([{ kind: 'echo', target: TARGET, payload: {} }]);
    answers = [answered(500)];
    const w = worker();
    await w.runOnce();
    clock += 1_000;
    await w.runOnce();
    const events = logs.map((line) => JSON.parse(line) as { level: string; event: string });
    expect(events.map(({ level, event }) => `${level} ${event}`)).toEqual([
      'info delivery.retry_scheduled',
      'info delivery.delivered',
    ]);
    expect(logs.join('\n')).not.toContain('secret-token');
  });

  it('enqueues inside the caller transaction: nothing when it rolls back', async () => {
    await expect(
      db.transaction(async (tx) => {
        await outbox.enqueue([{ kind: 'echo', target: TARGET, payload: {} }], tx);
        throw new Error('caller failed');
      }),
    ).rejects.toThrow('caller failed');
    expect(await outbox.list()).toEqual([]);
  });

  it('started, it sends what is enqueued at once: the enqueue wakes it, no poll needed', async () => {
    const w = createDeliveryWorker({
      database: db,
      outbox,
      kinds: [echoKind],
      logger: createLogger('info', (line) => logs.push(line)),
      now: () => clock,
      pollIntervalMs: 60_000,
      post: (target, message) => {
        sent.push({ target, message });
        return Promise.resolve({ type: 'answered', status: 200 });
      },
    });
    w.start();
    try {
      // The first poll runs at start and finds nothing; the next is a minute away.
      await sleep(300);
      expect(sent).toHaveLength(0);
      await outbox.enqueue([{ kind: 'echo', target: TARGET, payload: {} }]);
      await waitFor('the woken worker to send', () => sent.length === 1, { timeoutMs: 5_000 });
      expect(sent).toHaveLength(1);
    } finally {
      await w.stop();
    }
  });

  it('forgets finished rows past the retention, never pending ones', async () => {
    await outbox.enqueue([
      { kind: 'echo', target: TARGET, payload: { n: 1 } },
      { kind: 'echo', target: TARGET, payload: { n: 2 } },
    ]);
    answers = [answered(200), answered(500)];
    await worker().runOnce();
    expect((await outbox.list()).map(({ state }) => state).sort()).toEqual([
      'delivered',
      'pending',
    ]);
    expect(await pruneFinishedRows(db, clock)).toBe(0);
    expect(await pruneFinishedRows(db, clock + 1)).toBe(1);
    expect((await outbox.list()).map(({ state }) => state)).toEqual(['pending']);
  });
});

describe('delivery outcomes in the audit trail', () => {
  it('each attempt once, with its kind, target and outcome; never the body', async () => {
    const audit = createAuditLog({ database: db, logger: silentLogger, now: () => clock });
    const audited = createDeliveryWorker({
      database: db,
      outbox,
      kinds: [echoKind],
      logger: silentLogger,
      audit,
      now: () => clock,
      random: () => 1,
      backoff,
      timeoutMs: 1_000,
      post: () => Promise.resolve(answers.shift() ?? answered(200)),
    });
    const [id] = await outbox.enqueue([{ kind: 'echo', target: TARGET, payload: { n: 9 } }]);
    answers.push(answered(503));
    await audited.runOnce();
    clock += 60_000;
    await audited.runOnce();
    const events = (await audit.list({}, 10))
      .filter((event) => event.type.startsWith('delivery.') && event.detail.delivery === id)
      .reverse();
    expect(events.map((event) => [event.type, event.detail.attempt, event.detail.outcome])).toEqual(
      [
        ['delivery.retry_scheduled', 1, 'HTTP 503'],
        ['delivery.delivered', 2, 'HTTP 200'],
      ],
    );
    expect(events[0]!.detail).toMatchObject({ kind: 'echo', target: TARGET });
    expect(JSON.stringify(events)).not.toContain('secret-token');
  });
});
