import {
  decodeStoreLayout,
  encodeStoreLayout,
  isCompatibleStoreLayout,
  STORE_LAYOUT_VERSION,
  storeLayoutKey,
} from '@latchkey/protocol';
import type { Store } from './store.js';

/**
 * The store was written by a Latchkey of another key layout. Writing on would leave SDKs of
 * one side or the other reading keys nobody writes: revocations silently missed.
 */
export class StoreLayoutError extends Error {
  readonly code = 'ERR_STORE_LAYOUT';
  constructor(
    readonly expected: number,
    readonly found: number | string,
  ) {
    super(
      `the store holds Latchkey key layout ${JSON.stringify(found)}, this IdP writes layout ` +
        `${expected}: run IdPs of one version per store, or point REDIS_URL at another`,
    );
    this.name = 'StoreLayoutError';
  }
}

/** Claims attempts: an absent key may be deleted (a flush) between the write and the read. */
const MAX_ATTEMPTS = 3;

/**
 * Writes this IdP's layout version unless one is there already, and throws
 * {@link StoreLayoutError} when the one there is another. Rejects with the store's own error
 * when it cannot be reached.
 */
export async function claimStoreLayout(store: Store): Promise<void> {
  const mine = encodeStoreLayout(STORE_LAYOUT_VERSION);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (await store.set(storeLayoutKey, mine, { ifAbsent: true })) return;
    const found = await store.get(storeLayoutKey);
    if (found === null) continue;
    if (isCompatibleStoreLayout(found)) return;
    throw new StoreLayoutError(STORE_LAYOUT_VERSION, decodeStoreLayout(found)!);
  }
}
