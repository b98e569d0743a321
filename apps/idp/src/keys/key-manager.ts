import type { AuditActor } from '../audit/audit-event.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import { auditKeyChange } from './key-audit.js';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { channels, decodeKeySetChangedNotice, type SigningAlgorithm } from '@latchkey/protocol';
import { DatabaseUnavailableError, type Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import { StoreUnavailableError, type Store, type Unsubscribe } from '../store/store.js';
import { buildJwksDocument, type JwksDocument } from './jwks-document.js';
import { decryptPrivateKey, KeyDecryptionError } from './key-encryption.js';
import type { KeyFactory } from './key-generation.js';
import { revokeKeyById, rotateKeys } from './key-commands.js';
import { maintainKeySet, retireKeys, type KeyPolicy, type KeySetChange } from './key-lifecycle.js';
import { createKeyMirror } from './key-mirror.js';
import type { ReplicationPolicy } from '../store/replication.js';
import { createKeyRepository } from './key-repository.js';
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
  /** `by`: who asked (the admin API's caller), for the audit trail; default the IdP itself. */
  rotateNow(by?: AuditActor): Promise<void>;
  revoke(kid: string, by?: AuditActor): Promise<void>;
}

export interface KeyManagerOptions {
  /** Redis: the copy of the key set, change notices, key revocations (key-mirror.ts). */
  store: Store;
  /** PostgreSQL: the keys themselves (key-repository.ts). */
  database: Database;
  policy: KeyPolicy;
  kek: Buffer;
  newKey: KeyFactory;
  logger: Logger;
  /** How often to re-read the keys from the database and check for due rotation. Default 5 s. */
  checkIntervalMs?: number;
  /**
   * How often to check that Redis still holds the key set's copy (one GET), so that after a
   * flush the `kid:` revocations an SDK starting then must load are back within this. Default 1 s.
   */
  copyCheckIntervalMs?: number;
  /**
   * When the stored keys were sealed under another KEK: retire them (still published, so
   * their tokens verify) and make new ones. Only for dev mode with an ephemeral KEK.
   */
  replaceUndecryptableKeys?: boolean;
  now?: () => number;
  /** Replicas a rotation or revocation must reach in Redis before it is confirmed. */
  replication?: ReplicationPolicy;
  /** Where rotations and revocations are recorded. */
  audit?: AuditTrail;
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
  const repository = createKeyRepository(options.database);
  const { audit, replication } = options;
  const mirror = createKeyMirror(store, {
    retentionMs: policy.retentionMs,
    now,
    ...(replication && { replication }),
  });
  const commandDeps = {
    store,
    repository,
    mirror,
    policy,
    newKey,
    now,
    ...(audit && { audit }),
    ...(replication && { replication }),
  };

  let loaded: {
    set: KeySet;
    jwks: JwksDocument;
    signing: Map<string, SigningKey>;
  } | null = null;
  let problem: string | null = 'keys not loaded yet';
  let timer: NodeJS.Timeout | undefined;
  let copyTimer: NodeJS.Timeout | undefined;
  let copying: Promise<void> | null = null;
  let retry: NodeJS.Timeout | undefined;
  let unsubscribe: Unsubscribe | undefined;
  let running: Promise<void> | null = null;
  let stopped = false;
  let replaceUndecryptable = options.replaceUndecryptableKeys ?? false;

  const install = (set: KeySet | null): void => {
    if (!set) return;
    if (loaded?.set.version === set.version) return;
    const previous = loaded;
    // Keys that already signed before this change are reused, not decrypted again.
    const decrypted = new Map([...(previous?.signing.values() ?? [])].map((key) => [key.kid, key]));
    const signing = new Map<string, SigningKey>();
    for (const alg of policy.algorithms) {
      const record = activeKey(set, alg);
      if (!record) throw new KeysUnavailableError(`no active ${alg} key`);
      const privateKey =
        decrypted.get(record.kid)?.privateKey ??
        createPrivateKey({
          key: decryptPrivateKey(kek, record.kid, record.privateKey),
          format: 'jwk',
        });
      signing.set(alg, { kid: record.kid, alg, privateKey });
    }
    loaded = { set, jwks: buildJwksDocument(set), signing };
    problem = null;
    logger.info('keys.loaded', {
      version: set.version,
      active: [...signing.values()].map(({ kid, alg }) => ({ kid, alg })),
    });
  };

  /**
   * Due maintenance, as one commit. On the very first start, the keys an IdP of the Redis-only
   * era left in Redis are taken over rather than replaced, so the tokens they signed still
   * verify. In dev mode with an ephemeral KEK, keys sealed under another one are retired first.
   */
  const maintain = async (current: KeySet | null): Promise<KeySetChange | null> => {
    const adopted = current ? null : await mirror.read();
    let base = current ?? adopted;
    let replaced: KeySetChange | null = null;
    if (base && replaceUndecryptable) {
      replaced = retireKeys(base, undecryptableKids(base), now());
      if (replaced) base = replaced.set;
    }
    const change = (await maintainKeySet(base, now(), policy, newKey)) ?? replaced;
    if (adopted) logger.info('keys.adopted_from_redis', { version: adopted.version });
    if (replaced) logger.warn('keys.replaced_undecryptable', { version: replaced.set.version });
    return change ?? (adopted && { set: adopted, reason: 'created' });
  };

  // Said once per outage, not every check.
  let mirrorTrouble = false;
  const syncMirror = async (set: KeySet, firstSet = false): Promise<void> => {
    try {
      const outcome = await mirror.sync(set);
      // The very first key set finds no copy in Redis because there never was one.
      if (outcome === 'restored' && firstSet) {
        logger.info('keys.redis_copy_written', { version: set.version });
      } else if (outcome === 'restored') {
        logger.warn('keys.redis_copy_restored', {
          version: set.version,
          detail:
            'Redis had lost the key set (emptied or restarted without data): rewritten from the database',
        });
      }
      if (mirrorTrouble) logger.info('keys.redis_copy_recovered');
      mirrorTrouble = false;
    } catch (error) {
      if (!mirrorTrouble) logger.warn('keys.redis_copy_failed', { reason: describe(error) });
      mirrorTrouble = true;
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
      let before: KeySet | null = null;
      const { set, changed } = await repository.update((current) => {
        before = current;
        return maintain(current);
      });
      replaceUndecryptable = false;
      install(set);
      if (set && changed && audit)
        await auditKeyChange(audit, { before, after: set, reason: changed });
      if (set) {
        // Redis is the copy: trouble there is reported, and keys keep signing without it.
        await syncMirror(set, before === null);
        if (changed) await mirror.announce(set, changed).catch(() => undefined);
      }
    } catch (error) {
      problem = describe(error);
      const level = error instanceof KeyDecryptionError ? 'error' : 'warn';
      logger[level]('keys.refresh_failed', { reason: problem });
      // Only an unreachable store is worth retrying at once; anything else (keys sealed
      // under another KEK) will not change in 100 ms and would only flood the log.
      if (!loaded && !stopped && isOutage(error)) {
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
      copyTimer = setInterval(() => {
        if (!loaded || copying || stopped) return;
        copying = syncMirror(loaded.set).finally(() => (copying = null));
      }, options.copyCheckIntervalMs ?? 1_000);
      copyTimer.unref();
      await refresh();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearInterval(copyTimer);
      clearTimeout(retry);
      await unsubscribe?.().catch(() => undefined);
      await running;
      await copying;
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
    async rotateNow(by) {
      await running;
      install(await rotateKeys({ ...commandDeps, ...(by && { actor: by }) }, requireLoaded().set));
    },
    async revoke(kid, by) {
      await running;
      install(await revokeKeyById({ ...commandDeps, ...(by && { actor: by }) }, kid));
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

const isOutage = (error: unknown): boolean =>
  error instanceof StoreUnavailableError || error instanceof DatabaseUnavailableError;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
