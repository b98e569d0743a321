import type Koa from 'koa';
import { createApp } from './app.js';
import type { ClientRegistry } from './clients/client.js';
import { ClientsFileError } from './clients/load-clients.js';
import type { Config } from './config/config.js';
import { createKeyFactory } from './keys/key-generation.js';
import { createKeyManager, type KeyManager } from './keys/key-manager.js';
import { keyPolicyFor } from './keys/key-policy.js';
import type { Logger } from './logger.js';
import type { LoginLimits } from './login/login-throttle.js';
import type { Revoker } from './sessions/revoker.js';
import { createSessionServices } from './sessions/session-services.js';
import type { SessionRepository } from './sessions/session.js';
import type { Store } from './store/store.js';
import { unsignableIdTokenClients } from './tokens/id-token.js';
import { createUserRepository, type UserRepository } from './users/user.js';

export interface Idp {
  app: Koa;
  /** Start before serving (it loads or creates the keys); stop after the server closed. */
  keys: KeyManager;
  sessions: SessionRepository;
  revoker: Revoker;
  users: UserRepository;
}

/** Wires the IdP from its configuration, the same way for main.ts and for the tests. */
export function createIdp(
  config: Config,
  deps: {
    store: Store;
    clients: ClientRegistry;
    logger: Logger;
    now?: () => number;
    /** Failed-login limits; the default suits production, tests shorten the window. */
    loginLimits?: LoginLimits;
  },
): Idp {
  const now = deps.now ?? Date.now;
  const policy = keyPolicyFor(config);
  const unsignable = unsignableIdTokenClients(deps.clients.all(), policy.algorithms);
  if (unsignable.length > 0) throw new ClientsFileError(unsignable);
  const keys = createKeyManager({
    store: deps.store,
    policy,
    kek: config.keyEncryptionKey,
    newKey: createKeyFactory(config.keyEncryptionKey),
    logger: deps.logger,
    replaceUndecryptableKeys: config.keyEncryptionKeyIsEphemeral,
    // Often enough that a due rotation is seen within a tenth of its interval.
    checkIntervalMs: Math.min(5_000, Math.max(250, config.keyRotationIntervalMs / 10)),
  });
  const { sessions, revoker } = createSessionServices(config, {
    store: deps.store,
    logger: deps.logger,
    now,
  });
  const users = createUserRepository(deps.store);
  return {
    app: createApp({ config, keys, sessions, revoker, users, now, ...deps }),
    keys,
    sessions,
    revoker,
    users,
  };
}
