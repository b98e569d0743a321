import { ReplicationTimeoutError, type Store } from './store.js';

/**
 * How many Redis replicas must hold a write before it is confirmed to its caller
 * (REDIS_WAIT_REPLICAS, REDIS_WAIT_TIMEOUT_MS): a failover promotes a replica, and a write
 * that had reached none of them is lost with the old master. Zero: no replica is waited for.
 */
export interface ReplicationPolicy {
  readonly replicas: number;
  readonly timeoutMs: number;
}

export const NO_REPLICATION: ReplicationPolicy = Object.freeze({ replicas: 0, timeoutMs: 0 });

/**
 * Resolves once the writes made so far on `key`'s connection reached `policy.replicas`
 * replicas; rejects with ReplicationTimeoutError (503) when fewer acknowledged in time. Sends
 * nothing when the policy asks for none.
 */
export async function confirmReplicated(
  store: Store,
  key: string,
  policy: ReplicationPolicy,
): Promise<void> {
  if (policy.replicas === 0) return;
  const acknowledged = await store.waitForReplicas(key, policy.replicas, policy.timeoutMs);
  if (acknowledged < policy.replicas) {
    throw new ReplicationTimeoutError(policy.replicas, acknowledged, policy.timeoutMs);
  }
}

/**
 * The store to make the writes on that `confirmReplicated` is to confirm: its own connection
 * (`store.durable()`) when a replica is waited for, so that WAIT blocks only those writes;
 * the store itself when none is.
 */
export function writerFor(store: Store, policy: ReplicationPolicy): Store {
  return policy.replicas === 0 ? store : store.durable();
}
