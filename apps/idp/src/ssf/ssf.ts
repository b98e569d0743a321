import { SECEVENT_TYP } from '@latchkey/protocol';
import { signCompactJws } from '@latchkey/protocol/jwt';
import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import type { KeyManager } from '../keys/key-manager.js';
import type { Logger } from '../logger.js';
import { createPollWaiters, type PollWaiters } from './poll-waiters.js';
import { createSignalTransmitter, type SignalTransmitter } from './transmitter.js';
import type { DeliveryKind } from '../delivery/delivery-kind.js';
import type { DeliveryOutbox } from '../delivery/delivery-outbox.js';
import { ssfPushKind } from './push-kind.js';

/** The Shared Signals wing as the IdP wires it: the transmitter and what delivery shares. */
export interface SharedSignals {
  transmitter: SignalTransmitter;
  waiters: PollWaiters;
  /** Signs a queued SET's claims (typ secevent+jwt) with the access-token key active now. */
  sign: (claims: Record<string, unknown>) => string;
  /** Wakes held polls; call on shutdown, before the database closes. */
  close(): void;
}

export function createSharedSignals(
  config: Config,
  deps: {
    database: Database;
    keys: KeyManager;
    logger: Logger;
    now: () => number;
    /** The delivery outbox push streams go through; its worker must carry `pushKind`. */
    outbox: Pick<DeliveryOutbox, 'enqueue' | 'wake'>;
  },
): SharedSignals {
  const waiters = createPollWaiters();
  const transmitter = createSignalTransmitter({
    issuer: config.issuer,
    database: deps.database,
    logger: deps.logger,
    waiters,
    now: deps.now,
    eventRetentionMs: config.ssf.eventRetentionMs,
    outbox: deps.outbox,
  });
  return {
    transmitter,
    waiters,
    sign: signSets(config, deps.keys),
    close: () => waiters.close(),
  };
}

/** Signs a SET's claims (typ secevent+jwt) with the access-token key active now. */
export function signSets(
  config: Config,
  keys: Pick<KeyManager, 'signingKey'>,
): (claims: Record<string, unknown>) => string {
  return (claims) => signCompactJws(keys.signingKey(config.accessTokenAlg), SECEVENT_TYP, claims);
}

/** The delivery kind for push streams, to hand to the delivery worker (RFC 8935). */
export function ssfDeliveryKind(
  config: Config,
  deps: { database: Database; keys: Pick<KeyManager, 'signingKey'> },
): DeliveryKind {
  return ssfPushKind({ database: deps.database, sign: signSets(config, deps.keys) });
}
