import { createClientRegistry } from '../clients/client.js';
import { createClientRepository } from '../clients/client-repository.js';
import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import { createDeliveryOutbox } from '../delivery/delivery-outbox.js';
import type { Logger } from '../logger.js';
import type { SessionEndListener } from '../sessions/session-events.js';
import { backChannelLogoutListener } from './logout-listener.js';

/**
 * The back-channel listener for an operator's command (`sessions`, `users`), which has no
 * worker of its own: it enqueues in the IdP's database, and the running IdP's worker sends
 * within its poll interval. The clients are read from the database, where the IdP keeps them.
 */
export async function commandLogoutListener(
  config: Config,
  database: Database,
  logger: Logger,
  now: () => number = Date.now,
): Promise<SessionEndListener> {
  const clients = createClientRegistry(await createClientRepository(database).all());
  const outbox = createDeliveryOutbox({
    database,
    now,
    retryWindowMs: config.delivery.retryWindowMs,
  });
  return backChannelLogoutListener({ database, outbox, clients, logger, now });
}
