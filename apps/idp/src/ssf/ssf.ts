import { SECEVENT_TYP } from '@latchkey/protocol';
import { signCompactJws } from '@latchkey/protocol/jwt';
import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import type { KeyManager } from '../keys/key-manager.js';
import type { Logger } from '../logger.js';
import { createPollWaiters, type PollWaiters } from './poll-waiters.js';
import { createSignalTransmitter, type SignalTransmitter } from './transmitter.js';
import type { Stream } from './stream.js';

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
    onQueued?: (streams: readonly Stream[]) => void;
  },
): SharedSignals {
  const waiters = createPollWaiters();
  const transmitter = createSignalTransmitter({
    issuer: config.issuer,
    database: deps.database,
    logger: deps.logger,
    waiters,
    now: deps.now,
    ...(deps.onQueued && { onQueued: deps.onQueued }),
  });
  return {
    transmitter,
    waiters,
    sign: (claims) =>
      signCompactJws(deps.keys.signingKey(config.accessTokenAlg), SECEVENT_TYP, claims),
    close: () => waiters.close(),
  };
}
