import type { ClientRegistry } from '../clients/client.js';
import type { Database } from '../db/database.js';
import type { DeliveryOutbox } from '../delivery/delivery-outbox.js';
import type { Logger } from '../logger.js';
import type { SessionEnd, SessionEndListener } from '../sessions/session-events.js';
import { logoutEntries } from './logout-fan-out.js';
import { endSession, endUser } from './participation-queries.js';

/**
 * Tells the clients of an ending session (every way the revoker ends one: logout, account
 * page, admin and CLI, account lifecycle, refresh-token reuse). The participations are marked
 * ended and the logout tokens enqueued in one transaction: either both happen or neither.
 * When the database fails, the ending is left to the expiry sweeper (see below).
 */
export function backChannelLogoutListener(deps: {
  database: Database;
  outbox: DeliveryOutbox;
  clients: ClientRegistry;
  logger: Logger;
  now: () => number;
}): SessionEndListener {
  return {
    async sessionEnded(end: SessionEnd) {
      const at = deps.now();
      let count: number;
      try {
        count = await deps.database.transaction(async (tx) => {
          const ended =
            end.scope === 'session'
              ? await endSession(tx, end.sid, at)
              : await endUser(tx, end.sub, at);
          const entries = logoutEntries(ended, deps.clients, end.scope === 'user');
          await deps.outbox.enqueue(entries, tx);
          return entries.length;
        });
      } catch (error) {
        // The session is already revoked in Redis; failing the logout page or the admin's
        // command now would help nobody. The participations stay open, and the expiry sweeper
        // finds the session gone at its next look (at the latest its idle limit) and tells
        // the clients then.
        deps.logger.warn('backchannel.enqueue_deferred', {
          scope: end.scope,
          sub: end.sub,
          reason: end.reason,
          error: (error as Error).message,
        });
        return;
      }
      if (count > 0) {
        deps.outbox.wake();
        deps.logger.info('backchannel.logout_enqueued', {
          scope: end.scope,
          sub: end.sub,
          reason: end.reason,
          tokens: count,
        });
      }
    },
  };
}
