import type Koa from 'koa';
import { createApp } from './app.js';
import type { ClientRegistry } from './clients/client.js';
import type { Config } from './config/config.js';
import { createKeyFactory } from './keys/key-generation.js';
import { createKeyManager, type KeyManager } from './keys/key-manager.js';
import { keyPolicyFor } from './keys/key-policy.js';
import type { Logger } from './logger.js';
import { createRevoker } from './sessions/revoker.js';
import { createSessionRepository } from './sessions/session.js';
import type { Store } from './store/store.js';
import { createUserRepository } from './users/user.js';

export interface Idp {
  app: Koa;
  /** Start before serving (it loads or creates the keys); stop after the server closed. */
  keys: KeyManager;
}

/** Wires the IdP from its configuration, the same way for main.ts and for the tests. */
export function createIdp(
  config: Config,
  deps: { store: Store; clients: ClientRegistry; logger: Logger; now?: () => number },
): Idp {
  const now = deps.now ?? Date.now;
  const keys = createKeyManager({
    store: deps.store,
    policy: keyPolicyFor(config),
    kek: config.keyEncryptionKey,
    newKey: createKeyFactory(config.keyEncryptionKey),
    logger: deps.logger,
    replaceUndecryptableKeys: config.keyEncryptionKeyIsEphemeral,
    // Often enough that a due rotation is seen within a tenth of its interval.
    checkIntervalMs: Math.min(5_000, Math.max(250, config.keyRotationIntervalMs / 10)),
  });
  const sessions = createSessionRepository(deps.store, {
    idleTtlMs: config.sessionIdleTtlMs,
    maxTtlMs: config.sessionMaxTtlMs,
  });
  const revoker = createRevoker({
    store: deps.store,
    sessions,
    logger: deps.logger,
    now,
    // Until every token that can carry a revoked sid has expired, with room for the largest
    // clock tolerance a verifier may allow (the SDK's limit is 5 minutes).
    retentionMs: Math.max(config.accessTokenTtlMs, config.idTokenTtlMs) + 5 * 60_000,
  });
  return {
    app: createApp({
      config,
      keys,
      sessions,
      revoker,
      users: createUserRepository(deps.store),
      now,
      ...deps,
    }),
    keys,
  };
}
