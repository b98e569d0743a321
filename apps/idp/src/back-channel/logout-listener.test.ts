import { describe, expect, it } from 'vitest';
import { createClientRegistry } from '../clients/client.js';
import { DatabaseUnavailableError, type Database } from '../db/database.js';
import { createDeliveryOutbox } from '../delivery/delivery-outbox.js';
import { createLogger } from '../logger.js';
import { backChannelLogoutListener } from './logout-listener.js';

describe('the back-channel listener when the database is away', () => {
  it('does not fail the ending (Redis already revoked it); it logs and leaves it to the sweeper', async () => {
    const down: Database = {
      query: () => Promise.reject(new DatabaseUnavailableError('down')),
      transaction: () => Promise.reject(new DatabaseUnavailableError('down')),
      close: () => Promise.resolve(),
    };
    const lines: string[] = [];
    const listener = backChannelLogoutListener({
      database: down,
      outbox: createDeliveryOutbox({ database: down, now: () => 0, retryWindowMs: 1 }),
      clients: createClientRegistry([]),
      logger: createLogger('info', (line) => lines.push(line)),
      now: () => 0,
    });
    await expect(
      listener.sessionEnded({ scope: 'session', sid: 's', sub: 'u', reason: 'logout', at: 0 }),
    ).resolves.toBeUndefined();
    expect(lines.map((line) => (JSON.parse(line) as { event: string }).event)).toEqual([
      'backchannel.enqueue_deferred',
    ]);
  });
});
