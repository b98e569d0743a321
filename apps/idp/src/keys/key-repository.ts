import {
  channels,
  encodeKeySetChangedNotice,
  isSigningAlgorithm,
  storeKeys,
} from '@latchkey/protocol';
import type { Store } from '../store/store.js';
import type { KeySetChange } from './key-lifecycle.js';
import type { KeySet } from './key-set.js';

/** The stored key set is not what this IdP wrote. Refuse to guess, refuse to overwrite. */
export class KeySetCorruptError extends Error {
  readonly code = 'ERR_KEY_SET_CORRUPT';
  constructor(detail: string) {
    super(`stored key set is unreadable: ${detail}`);
    this.name = 'KeySetCorruptError';
  }
}

/** Another writer kept winning the compare-and-set; the caller may try again later. */
export class KeySetContentionError extends Error {
  readonly code = 'ERR_KEY_SET_CONTENTION';
  constructor() {
    super('key set changed concurrently too many times; giving up this round');
    this.name = 'KeySetContentionError';
  }
}

export interface StoredKeySet {
  /** The exact stored text: the compare-and-set token for the next write. */
  raw: string | null;
  set: KeySet | null;
}

export interface KeyRepository {
  read(): Promise<StoredKeySet>;
  /**
   * Applies `change` to the current set and writes the result if nobody wrote in between;
   * otherwise re-reads and asks again (the change may then find nothing left to do).
   */
  update(change: (current: KeySet | null) => Promise<KeySetChange | null>): Promise<StoredKeySet>;
}

const MAX_ATTEMPTS = 5;

export function createKeyRepository(store: Store): KeyRepository {
  const read = async (): Promise<StoredKeySet> => {
    const raw = await store.get(storeKeys.keySet);
    return { raw, set: raw === null ? null : parseKeySet(raw) };
  };

  return {
    read,
    async update(change) {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const current = await read();
        const next = await change(current.set);
        if (!next) return current;
        const raw = JSON.stringify(next.set);
        if (await store.compareAndSet(storeKeys.keySet, current.raw, raw)) {
          const notice = encodeKeySetChangedNotice({
            version: next.set.version,
            reason: next.reason,
          });
          // Best effort: instances that miss the notice pick the change up on their next tick.
          await store.publish(channels.keySetChanged, notice).catch(() => undefined);
          return { raw, set: next.set };
        }
      }
      throw new KeySetContentionError();
    },
  };
}

export function parseKeySet(raw: string): KeySet {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new KeySetCorruptError('not JSON');
  }
  if (typeof value !== 'object' || value === null) throw new KeySetCorruptError('not an object');
  const { version, keys } = value as Record<string, unknown>;
  if (typeof version !== 'number' || !Array.isArray(keys)) {
    throw new KeySetCorruptError('missing version or keys');
  }
  keys.forEach((key: unknown, index) => {
    const record = key as Record<string, unknown> | null;
    if (
      typeof record !== 'object' ||
      record === null ||
      typeof record.kid !== 'string' ||
      !isSigningAlgorithm(record.alg) ||
      typeof record.createdAt !== 'number' ||
      typeof record.publicJwk !== 'object' ||
      typeof record.privateKey !== 'object'
    ) {
      throw new KeySetCorruptError(`key #${index} is malformed`);
    }
  });
  return value as KeySet;
}
