import { createPrivateKey, type KeyObject } from 'node:crypto';
import { channels, decodeKeySetChangedNotice, type SigningAlgorithm } from '@latchkey/protocol';
import type { Logger } from '../logger.js';
import { StoreUnavailableError, type Store, type Unsubscribe } from '../store/store.js';
import { buildJwksDocument, type JwksDocument } from './jwks-document.js';
import { decryptPrivateKey, KeyDecryptionError } from './key-encryption.js';
import type { KeyFactory } from './key-generation.js';
import { revokeKeyById, rotateKeys } from './key-commands.js';
import { maintainKeySet, retireKeys, type KeyPolicy } from './key-lifecycle.js';
import { createKeyRepository, type StoredKeySet } from './key-repository.js';
import { activeKey, keyState, type KeySet, type KeyState } from './key-set.js';

export interface SigningKey {
  kid: string;
  alg: SigningAlgorithm;
  privateKey: KeyObject;
}

export interface KeySummary {
  kid: string;
  alg: SigningAlgorithm;
  state: KeyState;
  createdAt: number;
  activatedAt: number | null;
  retiredAt: number | null;
  revokedAt: number | null;
}

/** No usable key set yet (store unreachable, or keys not decryptable). Answer 503. */
export class KeysUnavailableError extends Error {
  readonly code = 'ERR_KEYS_UNAVAILABLE';
  constructor(reason: string) {
    super(`signing keys unavailable: ${reason}`);
    this.name = 'KeysUnavailableError';
  }
}

export interface KeyManager {
  /** Subscribes to change notices and starts the maintenance timer; never throws. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Null when keys are loaded and usable, else why not (for /readyz). */
  notReadyReason(): string | null;
  signingKey(alg: SigningAlgorithm): SigningKey;
  jwks(): JwksDocument;
  list(): KeySummary[];
  /** Re-reads the store and applies due maintenance now (what the timer does). */
  refresh(): Promise<void>;
  rotateNow(): Promise<void>;
  revoke(kid: string): Promise<void>;
}

export interface KeyManagerOptions {
  store: Store;
  policy: KeyPolicy;
  kek: Buffer;
  newKey: KeyFactory;
  logger: Logger;
  /** How often to re-read the store and check for due rotation. Default 5 s. */
  checkIntervalMs?: number;
  /**
   * When the stored keys were sealed under another KEK: retire them (still published, so
   * their tokens verify) and make new ones. Only for dev mode with an ephemeral KEK.
   */
  replaceUndecryptableKeys?: boolean;
  now?: () => number;
}

/**
 * While no key set is loaded (the store was unreachable at start), how soon a failed load is
 * tried again, so the IdP is ready moments after Redis appears rather than at the next tick.
 * Each attempt waits for the connection itself (bounded by the store's command timeout), so
 * this is a pause between attempts, not a polling rate.
 */
const NOT_READY_RETRY_MS = 100;

export function createKeyManager(options: KeyManagerOptions): KeyManager {
  const { store, policy, kek, newKey, logger } = options;
  const now = options.now ?? Date.now;
  const repository = createKeyRepository(store);
  const commandDeps = { store, repository, policy, newKey, now };

  let loaded: {
    raw: string;
    set: KeySet;
    jwks: JwksDocument;
    signing: Map<string, SigningKey>;
  } | null = null;
  let problem: string | null = 'keys not loaded yet';
  let timer: NodeJS.Timeout | undefined;
  let retry: NodeJS.Timeout | undefined;
  let unsubscribe: Unsubscribe | undefined;
  let running: Promise<void> | null = null;
  let stopped = false;
  let replaceUndecryptable = options.replaceUndecryptableKeys ?? false;

  const install = (stored: StoredKeySet): void => {
    if (!stored.raw || !stored.set) return;
    if (loaded?.raw === stored.raw) return;
    const previous = loaded;
    // Keys that already signed before this change are reused, not decrypted again.
    const decrypted = new Map([...(previous?.signing.values() ?? [])].map((key) => [key.kid, key]));
    const signing = new Map<string, SigningKey>();
    for (const alg of policy.algorithms) {
      const record = activeKey(stored.set, alg);
      if (!record) throw new KeysUnavailableError(`no active ${alg} key`);
      const privateKey =
        decrypted.get(record.kid)?.privateKey ??
        createPrivateKey({
          key: decryptPrivateKey(kek, record.kid, record.privateKey),
          format: 'jwk',
        });
      signing.set(alg, { kid: record.kid, alg, privateKey });
    }
    loaded = { raw: stored.raw, set: stored.set, jwks: buildJwksDocument(stored.set), signing };
    problem = null;
    if (previous?.set.version !== stored.set.version) {
      logger.info('keys.loaded', {
        version: stored.set.version,
        active: [...signing.values()].map(({ kid, alg }) => ({ kid, alg })),
      });
    }
  };

  const undecryptableKids = (set: KeySet): string[] =>
    set.keys
      .filter((key) => ['active', 'pending'].includes(keyState(key)))
      .filter((key) => {
        try {
          decryptPrivateKey(kek, key.kid, key.privateKey);
          return false;
        } catch {
          return true;
        }
      })
      .map((key) => key.kid);

  const ensureSubscribed = async (): Promise<void> => {
    if (unsubscribe || stopped) return;
    try {
      unsubscribe = await store.subscribe(channels.keySetChanged, (message) => {
        if (decodeKeySetChangedNotice(message)) void refresh();
      });
    } catch (error) {
      // Retried on the next tick; meanwhile the periodic re-read still converges.
      logger.warn('keys.subscribe_failed', { reason: describe(error) });
    }
  };

  const cycle = async (): Promise<void> => {
    await ensureSubscribed();
    try {
      if (replaceUndecryptable) {
        await repository.update((current) => {
          const change = current && retireKeys(current, undecryptableKids(current), now());
          if (change) logger.warn('keys.replaced_undecryptable', { version: change.set.version });
          return Promise.resolve(change);
        });
        replaceUndecryptable = false;
      }
      install(await repository.update((current) => maintainKeySet(current, now(), policy, newKey)));
    } catch (error) {
      problem = describe(error);
      const level = error instanceof KeyDecryptionError ? 'error' : 'warn';
      logger[level]('keys.refresh_failed', { reason: problem });
      // Only an unreachable store is worth retrying at once; anything else (keys sealed
      // under another KEK) will not change in 100 ms and would only flood the log.
      if (!loaded && !stopped && error instanceof StoreUnavailableError) {
        clearTimeout(retry);
        retry = setTimeout(() => void refresh(), NOT_READY_RETRY_MS);
        retry.unref();
      }
    }
  };

  // One refresh at a time. A request arriving mid-refresh (a change notice) must not be folded
  // into the running one, which may have read the key set before the change: it queues one
  // more refresh after it, and any number of further requests share that one.
  let queued: Promise<void> | null = null;
  const refresh = (): Promise<void> => {
    if (!running) {
      running = cycle().finally(() => {
        running = null;
      });
      return running;
    }
    queued ??= running.then(() => {
      queued = null;
      return refresh();
    });
    return queued;
  };

  const requireLoaded = () => {
    if (!loaded) throw new KeysUnavailableError(problem ?? 'keys not loaded yet');
    return loaded;
  };

  return {
    async start() {
      timer = setInterval(() => void refresh(), options.checkIntervalMs ?? 5_000);
      timer.unref();
      await refresh();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearTimeout(retry);
      await unsubscribe?.().catch(() => undefined);
      await running;
    },
    notReadyReason: () => (loaded ? null : problem),
    signingKey(alg) {
      const key = requireLoaded().signing.get(alg);
      if (!key) throw new KeysUnavailableError(`no ${alg} key configured`);
      return key;
    },
    jwks: () => requireLoaded().jwks,
    list: () => summarise(requireLoaded().set),
    refresh,
    async rotateNow() {
      await running;
      install(await rotateKeys(commandDeps, requireLoaded().set));
    },
    async revoke(kid) {
      await running;
      install(await revokeKeyById(commandDeps, kid));
    },
  };
}

export function summarise(set: KeySet): KeySummary[] {
  return set.keys.map((key) => ({
    kid: key.kid,
    alg: key.alg,
    state: keyState(key),
    createdAt: key.createdAt,
    activatedAt: key.activatedAt,
    retiredAt: key.retiredAt,
    revokedAt: key.revokedAt,
  }));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
