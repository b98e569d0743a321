import { findTestPostgres } from '@latchkey/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../logger.js';
import { serverTestDatabases } from '../test-support/test-database.js';
import type { DeliveryKind } from './delivery-kind.js';
import { createDeliveryOutbox } from './delivery-outbox.js';
import { createDeliveryWorker } from './delivery-worker.js';

/**
 * Several workers on one PostgreSQL server database (as several IdP instances run): the
 * claim (FOR UPDATE SKIP LOCKED under a lease) gives each row to exactly one of them.
 */
const server = await findTestPostgres();
const databases = serverTestDatabases(server);
afterAll(() => databases.dropAll());

const ROWS = 60;

describe.skipIf(!server.available)('the outbox on the PostgreSQL server', () => {
  it('four concurrent workers: every row sent exactly once', async () => {
    const database = await databases.create();
    try {
      const clock = 1_800_000_000_000;
      const outbox = createDeliveryOutbox({ database, now: () => clock, retryWindowMs: 60_000 });
      await outbox.enqueue(
        Array.from({ length: ROWS }, (_, n) => ({
          kind: 'count',
          target: 'http://127.0.0.1:9/',
          payload: { n },
        })),
      );
      const sent: number[] = [];
      const kind: DeliveryKind = {
        name: 'count',
        render: (payload) => {
          sent.push((payload as { n: number }).n);
          return Promise.resolve({ contentType: 'text/plain', body: '' });
        },
      };
      const workers = Array.from({ length: 4 }, () =>
        createDeliveryWorker({
          database,
          outbox,
          kinds: [kind],
          logger: silentLogger,
          now: () => clock,
          batchSize: 5,
          // A little wait in the "network", so that the workers' claims overlap.
          post: () =>
            new Promise((resolve) =>
              setTimeout(() => resolve({ type: 'answered', status: 200 }), 5),
            ),
        }),
      );
      await Promise.all(
        workers.map(async (worker) => {
          while ((await worker.runOnce()) > 0);
        }),
      );
      expect(sent.sort((a, b) => a - b)).toEqual(Array.from({ length: ROWS }, (_, n) => n));
      const rows = await outbox.list('count');
      expect(rows.every(({ state, attempts }) => state === 'delivered' && attempts === 1)).toBe(
        true,
      );
    } finally {
      await database.close();
    }
  });
});

// Keeps the file from failing as "no tests" when the server half is skipped locally.
it.runIf(!server.available)('says why the server half was skipped', () => {
  expect(server.available).toBe(false);
});
