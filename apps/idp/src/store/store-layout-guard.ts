import type { Logger } from '../logger.js';
import { claimStoreLayout, StoreLayoutError } from './store-layout.js';
import type { Store } from './store.js';

export interface StoreLayoutGuard {
  stop(): void;
}

export interface StoreLayoutGuardOptions {
  logger: Logger;
  /** Another layout turned up while running (the store was emptied and claimed by another). */
  onMismatch: (error: StoreLayoutError) => void;
  /** How often the claim is renewed, and retried while the store is unreachable. Default 5 s. */
  intervalMs?: number;
}

/**
 * Claims the store's key layout before the IdP writes anything (see store-layout.ts).
 * Rejects with {@link StoreLayoutError} when the store holds another layout, so the IdP can
 * refuse to start. An unreachable store does not stop the start (the IdP is live and not
 * ready until it answers): the claim is retried. It is renewed every interval after that, as
 * a Redis restarted empty forgets it, and an IdP of another version must then still find it.
 */
export async function guardStoreLayout(
  store: Store,
  options: StoreLayoutGuardOptions,
): Promise<StoreLayoutGuard> {
  const { logger, onMismatch } = options;
  let warned = false;
  const attempt = async (): Promise<void> => {
    try {
      await claimStoreLayout(store);
      warned = false;
    } catch (error) {
      if (error instanceof StoreLayoutError) throw error;
      // Unreachable: readiness already reports it; say once per outage why the claim is late.
      if (!warned) logger.warn('store.layout_unconfirmed', { reason: String(error) });
      warned = true;
    }
  };
  await attempt();
  const timer = setInterval(() => {
    attempt().catch((error: unknown) => {
      clearInterval(timer);
      onMismatch(error as StoreLayoutError);
    });
  }, options.intervalMs ?? 5_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
