import {
  channels,
  encodeKeySetChangedNotice,
  isSigningAlgorithm,
  storeKeys,
} from '@latchkey/protocol';
import {
  confirmReplicated,
  NO_REPLICATION,
  writerFor,
  type ReplicationPolicy,
} from '../store/replication.js';
import { recordRevocation } from '../store/revocation-record.js';
import { claimStoreLayout } from '../store/store-layout.js';
import type { Store } from '../store/store.js';
import type { ChangeReason } from './key-lifecycle.js';
import type { KeySet } from './key-set.js';

/**
 * The key set's copy in Redis, and the notices around it. PostgreSQL holds the keys
 * (key-repository.ts); Redis holds what other parties read without a database: the copy at
 * `latchkey:keys` (same document as before the keys moved), the change notice IdP instances
 * reload on, and the `kid:` members of the revoked set that every SDK loads.
 */
export interface KeyMirror {
  /**
   * Brings Redis up to `set`. When the copy is gone, Redis was emptied (FLUSHALL, or a
   * restart without data): the layout marker is written back first, then the revocations of
   * keys, then the copy, so nothing reads a Redis that looks complete but is not.
   */
  sync(set: KeySet): Promise<MirrorOutcome>;
  /** Tells the other IdP instances to reload now rather than at their next check. */
  announce(set: KeySet, reason: ChangeReason): Promise<void>;
  /** The copy as it stands, for adopting the keys of an IdP that kept them only in Redis. */
  read(): Promise<KeySet | null>;
}

/** `current`: nothing to do; `updated`: copy was older; `restored`: Redis had lost it. */
export type MirrorOutcome = 'current' | 'updated' | 'restored';

export interface KeyMirrorOptions {
  /** How long a revoked key's revocation is kept: as long as it could matter (key-policy.ts). */
  retentionMs: number;
  now: () => number;
  /**
   * Replicas the copy (and the key revocations written with it) must reach before a change is
   * confirmed (REDIS_WAIT_REPLICAS): a rotation a failover could undo is not done.
   */
  replication?: ReplicationPolicy;
}

export function createKeyMirror(store: Store, options: KeyMirrorOptions): KeyMirror {
  return {
    async sync(set) {
      const raw = await store.get(storeKeys.keySet);
      const copy = raw === null ? null : parseCopy(raw);
      // Only ever forwards: an instance that read the set a moment earlier must not put an
      // older version back over one another instance just wrote.
      if (copy && copy.version >= set.version) return 'current';
      const emptied = raw === null;
      if (emptied) await claimStoreLayout(store);
      // Every time the copy moves (and so after any flush), the key revocations are written
      // again: a member that is there already keeps its expiry, and an SDK that loads the
      // revoked set after a flush must still refuse a revoked key's tokens.
      const replication = options.replication ?? NO_REPLICATION;
      const writer = writerFor(store, replication);
      const at = options.now();
      for (const key of set.keys) {
        const expiresAt = key.revokedAt === null ? 0 : key.revokedAt + options.retentionMs;
        if (expiresAt > at)
          await recordRevocation(writer, { kind: 'key', kid: key.kid, expiresAt });
      }
      const written = await writer.compareAndSet(storeKeys.keySet, raw, JSON.stringify(set));
      // Lost to another writer: its copy is at least as new (it is rechecked next time).
      if (!written) return 'current';
      // One WAIT covers every write above: it counts all the writer's connection sent before.
      await confirmReplicated(writer, storeKeys.keySet, replication);
      return emptied ? 'restored' : 'updated';
    },
    async announce(set, reason) {
      await store.publish(
        channels.keySetChanged,
        encodeKeySetChangedNotice({ version: set.version, reason }),
      );
    },
    async read() {
      const raw = await store.get(storeKeys.keySet);
      return raw === null ? null : parseCopy(raw);
    },
  };
}

/** The copy, or null when it is not one this IdP could have written (it is then replaced). */
export function parseCopy(raw: string): KeySet | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { version, keys } = value as Record<string, unknown>;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || !Array.isArray(keys)) {
    return null;
  }
  const wellFormed = keys.every((key: unknown) => {
    const record = key as Record<string, unknown> | null;
    return (
      typeof record === 'object' &&
      record !== null &&
      typeof record.kid === 'string' &&
      isSigningAlgorithm(record.alg) &&
      typeof record.createdAt === 'number' &&
      typeof record.publicJwk === 'object' &&
      typeof record.privateKey === 'object'
    );
  });
  return wellFormed ? (value as KeySet) : null;
}
