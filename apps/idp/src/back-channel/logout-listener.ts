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
 * ended and the logout tokens enqueued in one transaction: either both happen or neither,
 * and the revoker's caller sees the failure and may call again.
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
      const count = await deps.database.transaction(async (tx) => {
        const ended =
          end.scope === 'session'
            ? await endSession(tx, end.sid, at)
            : await endUser(tx, end.sub, at);
        const entries = logoutEntries(ended, deps.clients, end.scope === 'user');
        await deps.outbox.enqueue(entries, tx);
        return entries.length;
      });
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
