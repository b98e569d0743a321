import type { AuditTrail } from '../audit/audit-trail.js';
import type { ClientRegistry } from '../clients/client.js';
import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import type { DeliveryKind } from '../delivery/delivery-kind.js';
import { createDeliveryOutbox, type DeliveryOutbox } from '../delivery/delivery-outbox.js';
import { createDeliveryWorker, type DeliveryWorker } from '../delivery/delivery-worker.js';
import { DEFAULT_BACKOFF } from '../delivery/backoff.js';
import type { KeyManager } from '../keys/key-manager.js';
import type { Logger } from '../logger.js';
import type { SessionEndListener } from '../sessions/session-events.js';
import type { SessionRepository } from '../sessions/session.js';
import { createExpirySweeper, type ExpirySweeper } from './expiry-sweeper.js';
import { backChannelLogoutKind } from './logout-kind.js';
import { backChannelLogoutListener } from './logout-listener.js';
import { recordingParticipation } from './participation.js';

/** What the IdP runs to tell other services: the outbox, its worker, the expiry sweeper. */
export interface Deliveries {
  outbox: DeliveryOutbox;
  worker: DeliveryWorker;
  sweeper: ExpirySweeper;
  /** The revoker's listener that enqueues logout tokens (pass it to createSessionServices). */
  listener: SessionEndListener;
  /** The session repository the routes use: `addClient` also records the participation. */
  recording(sessions: SessionRepository): SessionRepository;
  /** Starts the worker and the sweeper (after the keys: the worker signs). */
  start(): void;
  stop(): Promise<void>;
}

export interface DeliveryTuning {
  /** Contact loopback targets only, whatever DELIVERY_LOOPBACK_ONLY says (tests). */
  loopbackOnly?: boolean;
  /** The worker's poll interval when nothing woke it; default 1 s. */
  pollIntervalMs?: number;
  /** The sweeper's interval; default 30 s. */
  sweepIntervalMs?: number;
  random?: () => number;
}

/**
 * The deliveries as the configuration asks. `kinds` adds kinds beyond back-channel logout
 * (an SSF push): one outbox and one worker carry them all.
 */
export function createDeliveries(
  config: Config,
  deps: {
    database: Database;
    clients: ClientRegistry;
    keys: Pick<KeyManager, 'signingKey'>;
    logger: Logger;
    now: () => number;
    /** Where the sweeper asks whether a session still lives. */
    sessions: Pick<SessionRepository, 'find'>;
    kinds?: readonly DeliveryKind[];
    tuning?: DeliveryTuning;
    /** Where each delivery's outcome is recorded. */
    audit?: AuditTrail;
  },
): Deliveries {
  const { database, clients, logger, now } = deps;
  const tuning = deps.tuning ?? {};
  const outbox = createDeliveryOutbox({
    database,
    now,
    retryWindowMs: config.delivery.retryWindowMs,
  });
  const worker = createDeliveryWorker({
    database,
    outbox,
    kinds: [
      backChannelLogoutKind({ issuer: config.issuer, clients, keys: deps.keys }),
      ...(deps.kinds ?? []),
    ],
    logger,
    now,
    ...(deps.audit && { audit: deps.audit }),
    ...(tuning.random && { random: tuning.random }),
    backoff: {
      ...DEFAULT_BACKOFF,
      initialDelayMs: config.delivery.initialDelayMs,
      retryWindowMs: config.delivery.retryWindowMs,
    },
    timeoutMs: config.delivery.timeoutMs,
    loopbackOnly: tuning.loopbackOnly === true || config.delivery.loopbackOnly,
    ...(tuning.pollIntervalMs !== undefined && { pollIntervalMs: tuning.pollIntervalMs }),
  });
  const sweeper = createExpirySweeper({
    database,
    sessions: deps.sessions,
    outbox,
    clients,
    logger,
    now,
    idleTtlMs: config.sessionIdleTtlMs,
    ...(tuning.sweepIntervalMs !== undefined && { intervalMs: tuning.sweepIntervalMs }),
  });
  return {
    outbox,
    worker,
    sweeper,
    listener: backChannelLogoutListener({ database, outbox, clients, logger, now }),
    recording: (sessions) =>
      recordingParticipation(sessions, { database, now, idleTtlMs: config.sessionIdleTtlMs }),
    start() {
      worker.start();
      sweeper.start();
    },
    async stop() {
      await sweeper.stop();
      await worker.stop();
    },
  };
}
