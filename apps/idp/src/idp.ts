import type Koa from 'koa';
import { createApp } from './app.js';
import type { ClientRegistry } from './clients/client.js';
import type { Config } from './config/config.js';
import { createKeyFactory } from './keys/key-generation.js';
import { createKeyManager, type KeyManager } from './keys/key-manager.js';
import { keyPolicyFor } from './keys/key-policy.js';
import type { Logger } from './logger.js';
import type { Store } from './store/store.js';

export interface Idp {
  app: Koa;
  /** Start before serving (it loads or creates the keys); stop after the server closed. */
  keys: KeyManager;
}

/** Wires the IdP from its configuration, the same way for main.ts and for the tests. */
export function createIdp(
  config: Config,
  deps: { store: Store; clients: ClientRegistry; logger: Logger },
): Idp {
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
  return { app: createApp({ config, keys, ...deps }), keys };
}
