import type { Config } from '../config/config.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/store.js';
import { createRevoker, type RevocationWriter, type Revoker } from './revoker.js';
import type { SessionEndListener } from './session-events.js';
import {
  createSessionRepository,
  type RevokedSessions,
  type SessionRepository,
} from './session.js';

/**
 * The session repository and the revoker as the configuration asks, the same for the IdP and
 * the `sessions` command, so an operator's revocation is remembered exactly as long as one
 * made by the IdP.
 */
export function createSessionServices(
  config: Config,
  deps: {
    store: Store;
    logger: Logger;
    now: () => number;
    listeners?: readonly SessionEndListener[];
    /** The durable record of revocations, also read on every session lookup. */
    durable?: RevocationWriter & RevokedSessions;
  },
): { sessions: SessionRepository; revoker: Revoker } {
  const sessions = createSessionRepository(
    deps.store,
    { idleTtlMs: config.sessionIdleTtlMs, maxTtlMs: config.sessionMaxTtlMs },
    deps.durable,
  );
  const revoker = createRevoker({
    ...deps,
    sessions,
    replication: config.redisReplication,
    // Until every token that can carry a revoked sid has expired, with room for the largest
    // clock tolerance a verifier may allow (the SDK's limit is 5 minutes).
    retentionMs: Math.max(config.accessTokenTtlMs, config.idTokenTtlMs) + 5 * 60_000,
  });
  return { sessions, revoker };
}
