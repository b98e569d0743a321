import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import { createDeliveryOutbox } from '../delivery/delivery-outbox.js';
import type { Logger } from '../logger.js';
import { createPollWaiters } from './poll-waiters.js';
import { createSignalTransmitter, type SignalTransmitter } from './transmitter.js';

/**
 * The transmitter for an operator's command (`sessions`, `users`), which serves no poll and
 * runs no delivery worker: it queues in the IdP's database, where the running IdP's held
 * polls find the events within a second and its worker pushes them.
 */
export function commandSignalTransmitter(
  config: Config,
  database: Database,
  logger: Logger,
  now: () => number = Date.now,
): SignalTransmitter {
  return createSignalTransmitter({
    issuer: config.issuer,
    database,
    logger,
    waiters: createPollWaiters(),
    now,
    eventRetentionMs: config.ssf.eventRetentionMs,
    outbox: createDeliveryOutbox({ database, now, retryWindowMs: config.delivery.retryWindowMs }),
  });
}
