import type { Store } from './store.js';

/** For the readiness check: null while the store answers, else the reason. */
export async function storeNotReadyReason(store: Store): Promise<string | null> {
  try {
    await store.ping();
    return null;
  } catch {
    // Only a shared store can fail to answer (memory never does), so name it for operators.
    return 'store unreachable: Redis did not answer';
  }
}
