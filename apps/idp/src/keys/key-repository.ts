import type { Database } from '../db/database.js';
import type { ChangeReason, KeySetChange } from './key-lifecycle.js';
import { canonicalOrder, claimVersion, selectKeySet, writeKeyChanges } from './key-queries.js';
import type { KeySet } from './key-set.js';

export { KeySetCorruptError } from './key-queries.js';

/** Another writer kept winning; the caller may try again later. */
export class KeySetContentionError extends Error {
  readonly code = 'ERR_KEY_SET_CONTENTION';
  constructor() {
    super('key set changed concurrently too many times; giving up this round');
    this.name = 'KeySetContentionError';
  }
}

/** What an update left: the set as stored, and why it changed (null: it did not). */
export interface KeySetUpdate {
  set: KeySet | null;
  changed: ChangeReason | null;
}

/**
 * The signing keys in PostgreSQL, the source of truth (Redis keeps a copy: key-mirror.ts).
 * Every backend must pass key-repository.contract.ts.
 */
export interface KeyRepository {
  read(): Promise<KeySet | null>;
  /**
   * Applies `change` to the current set and commits the result if nobody committed in
   * between; otherwise re-reads and asks again (the change may then find nothing left to do:
   * that is how two IdPs due for the same rotation rotate once).
   */
  update(change: (current: KeySet | null) => Promise<KeySetChange | null>): Promise<KeySetUpdate>;
}

const MAX_ATTEMPTS = 5;

/**
 * Optimistic, with the database's row lock as the referee: the change is computed (new key
 * pairs generated, which takes up to a few hundred ms for RSA) outside any lock, then committed
 * in one transaction that first moves the version row from the version it was computed on.
 * A writer that finds the version moved rolls back and recomputes from the new set.
 *
 * Why not an advisory lock around read-compute-write: it only binds writers that remember to
 * take it and lives in a key space shared with every other user of the database, and it would
 * hold the lock through key generation. Why not SELECT … FOR UPDATE on every check: that would
 * write a lock mark into the row every few seconds per instance. Here the guard is the data
 * itself: any write that changes the set moves the version, whoever made it.
 */
export function createKeyRepository(db: Database): KeyRepository {
  const read = () => selectKeySet(db);
  return {
    read,
    async update(change) {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const current = await read();
        const next = await change(current);
        if (!next) return { set: current, changed: null };
        const set: KeySet = { version: next.set.version, keys: canonicalOrder(next.set.keys) };
        const committed = await db.transaction(async (tx) => {
          if (!(await claimVersion(tx, current?.version ?? null, set.version))) return false;
          await writeKeyChanges(tx, current, set);
          return true;
        });
        if (committed) return { set, changed: next.reason };
      }
      throw new KeySetContentionError();
    },
  };
}
