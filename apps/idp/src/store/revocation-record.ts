import {
  encodeRevocationMember,
  encodeRevocationNotice,
  revocationKeys,
  type Revocation,
} from '@latchkey/protocol';
import {
  confirmReplicated,
  NO_REPLICATION,
  writerFor,
  type ReplicationPolicy,
} from './replication.js';
import type { Store } from './store.js';

/**
 * Makes a revocation known to every SDK: written to the revoked set first (what an SDK loads
 * when it connects or reconnects), then published (what a connected SDK applies within
 * milliseconds). In that order, so that an SDK subscribing meanwhile misses neither.
 * The one writer of the set, for sessions, subjects and signing keys alike.
 *
 * `revokedAt` (epoch ms) travels in the notice so that an SDK can measure its revocation lag;
 * left out when an old revocation is only written again (key-mirror.ts), which is no news.
 *
 * With `replication`, published only once the set's write reached that many replicas: a
 * notice for a revocation a failover could still lose would be a promise not kept.
 */
export async function recordRevocation(
  store: Store,
  revocation: Revocation,
  revokedAt?: number,
  replication: ReplicationPolicy = NO_REPLICATION,
): Promise<void> {
  const writer = writerFor(store, replication);
  await writer.addToSet(
    revocationKeys.set,
    encodeRevocationMember(revocation),
    revocation.expiresAt,
  );
  await confirmReplicated(writer, revocationKeys.set, replication);
  await store.publish(revocationKeys.channel, encodeRevocationNotice(revocation, revokedAt));
}
