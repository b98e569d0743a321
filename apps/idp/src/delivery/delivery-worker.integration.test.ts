import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import { silentLogger } from '../logger.js';
import { freshTestDatabase } from '../test-support/test-database.js';
import { startLogoutReceiver, type LogoutReceiver } from '../test-support/logout-receiver.js';
import type { DeliveryKind } from './delivery-kind.js';
import { createDeliveryOutbox, type DeliveryOutbox } from './delivery-outbox.js';
import { createDeliveryWorker, type DeliveryWorker } from './delivery-worker.js';
import { postToTarget, type Resolve } from './post-target.js';

/**
 * The worker over real HTTP on loopback: receivers that hang, fail for an hour, refuse,
 * redirect, or stand at an address tests must never contact. The clock is the test's (the
 * hour passes in jumps); the network is real.
 */
const HOUR = 3_600_000;
let db: Database;
let receiver: LogoutReceiver;
let clock: number;
let outbox: DeliveryOutbox;
let resolve: Resolve | undefined;

const formKind: DeliveryKind = {
  name: 'form',
  render: (_payload, attempt) =>
    Promise.resolve({
      contentType: 'application/x-www-form-urlencoded',
      body: `logout_token=attempt-${attempt.attempt}`,
    }),
};

function worker(): DeliveryWorker {
  return createDeliveryWorker({
    database: db,
    outbox,
    kinds: [formKind],
    logger: silentLogger,
    now: () => clock,
    random: () => 0.5,
    backoff: { initialDelayMs: 2_000, maxDelayMs: 10 * 60_000, retryWindowMs: 24 * HOUR },
    timeoutMs: 300,
    loopbackOnly: true,
    post: (target, message, options) =>
      postToTarget(target, message, { ...options, ...(resolve && { resolve }) }),
  });
}

/** Attempts the row until it is no longer pending, jumping the clock to each retry. */
async function untilSettled(w: DeliveryWorker, maxAttempts = 100) {
  for (let i = 0; i < maxAttempts; i++) {
    const [row] = await outbox.list();
    if (row!.state !== 'pending') return row!;
    clock = Math.max(clock, row!.nextAttemptAt);
    await w.runOnce();
  }
  throw new Error('still pending');
}

beforeAll(async () => {
  db = await freshTestDatabase();
  receiver = await startLogoutReceiver();
}, 60_000);
afterAll(async () => {
  await receiver?.close();
  await db?.close();
});
beforeEach(async () => {
  await db.query('DELETE FROM delivery_outbox');
  receiver.received.length = 0;
  receiver.answer = () => 200;
  resolve = undefined;
  clock = 1_800_000_000_000;
  outbox = createDeliveryOutbox({ database: db, now: () => clock, retryWindowMs: 24 * HOUR });
});

const enqueue = (target: string) => outbox.enqueue([{ kind: 'form', target, payload: {} }]);

describe('delivery over loopback HTTP', () => {
  it('a receiver that hangs: the attempt times out, and is retried', async () => {
    receiver.answer = (_path, count) => (count === 1 ? 'hang' : 200);
    await enqueue(`${receiver.url}/hang`);
    const row = await untilSettled(worker());
    expect(row).toMatchObject({ state: 'delivered', attempts: 2 });
    expect(receiver.received.map(({ path }) => path)).toEqual(['/hang', '/hang']);
  });

  it('a receiver that answers 500 for an hour, then 200: delivered once it recovers', async () => {
    const start = clock;
    receiver.answer = () => (clock < start + HOUR ? 500 : 200);
    await enqueue(`${receiver.url}/flaky`);
    const row = await untilSettled(worker());
    expect(row.state).toBe('delivered');
    expect(clock).toBeGreaterThanOrEqual(start + HOUR);
    // Backoff, not hammering: about a dozen tries in the hour, each body minted afresh.
    expect(row.attempts).toBeGreaterThan(5);
    expect(row.attempts).toBeLessThan(20);
    expect(receiver.received.map(({ token }) => token)).toEqual(
      Array.from({ length: row.attempts }, (_, i) => `attempt-${i + 1}`),
    );
  });

  it('429 is retried like a 5xx', async () => {
    receiver.answer = (_path, count) => (count === 1 ? 429 : 200);
    await enqueue(`${receiver.url}/busy`);
    expect(await untilSettled(worker())).toMatchObject({ state: 'delivered', attempts: 2 });
  });

  it('a receiver that answers 400: not retried', async () => {
    receiver.answer = () => 400;
    await enqueue(`${receiver.url}/refuses`);
    expect(await untilSettled(worker())).toMatchObject({ state: 'failed', attempts: 1 });
    clock += 24 * HOUR;
    expect(await worker().runOnce()).toBe(0);
    expect(receiver.received).toHaveLength(1);
  });

  it('a redirect is not followed, and is a failure', async () => {
    receiver.answer = (path) => (path === '/moved' ? 307 : 200);
    await enqueue(`${receiver.url}/moved`);
    expect(await untilSettled(worker())).toMatchObject({
      state: 'failed',
      lastOutcome: 'HTTP 307',
    });
    expect(receiver.received.map(({ path }) => path)).toEqual(['/moved']);
  });

  it('connection refused is retried', async () => {
    const closed = await startLogoutReceiver();
    const target = `${closed.url}/gone`;
    await closed.close();
    await enqueue(target);
    const w = worker();
    await w.runOnce();
    const [row] = await outbox.list();
    expect(row).toMatchObject({ state: 'pending', lastOutcome: 'unreachable: ECONNREFUSED' });
  });

  it.each(['http://192.0.2.1/logout', 'http://10.0.0.1:8080/x', 'http://[2001:db8::1]/x'])(
    'a non-loopback address (%s) is never contacted in tests',
    async (target) => {
      await enqueue(target);
      const row = await untilSettled(worker());
      expect(row).toMatchObject({ state: 'failed', attempts: 1 });
      expect(row.lastOutcome).toMatch(/^blocked: /);
    },
  );

  it('a name that resolves to a non-loopback address is never contacted in tests', async () => {
    const port = new URL(receiver.url).port;
    resolve = () => Promise.resolve([{ address: '203.0.113.7', family: 4 }]);
    await enqueue(`http://receiver.example:${port}/outside`);
    const row = await untilSettled(worker());
    expect(row).toMatchObject({ state: 'failed' });
    expect(row.lastOutcome).toMatch(/^blocked: receiver\.example is not a loopback address/);
    // The same name resolving to loopback is reached: the guard sits in the connection's
    // own look-up, so what is checked is what is contacted.
    resolve = () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
    await db.query('DELETE FROM delivery_outbox');
    await enqueue(`http://receiver.example:${port}/inside`);
    expect(await untilSettled(worker())).toMatchObject({ state: 'delivered' });
    expect(receiver.received.map(({ path }) => path)).toEqual(['/inside']);
  });

  it('only http(s): another scheme is refused without a connection', async () => {
    await enqueue('ftp://127.0.0.1/x');
    expect((await untilSettled(worker())).lastOutcome).toBe('blocked: scheme ftp: not allowed');
  });

  it('*.localhost is loopback (RFC 6761) whatever the system resolver says', async () => {
    const port = new URL(receiver.url).port;
    resolve = () => Promise.reject(new Error('must not be asked'));
    await enqueue(`http://shop.localhost:${port}/local`);
    expect(await untilSettled(worker())).toMatchObject({ state: 'delivered' });
  });
});
