import type { AuditActor } from '../audit/audit-event.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import { auditKeyChange } from './key-audit.js';
import { recordRevocation } from '../store/revocation-record.js';
import type { ReplicationPolicy } from '../store/replication.js';
import type { Store } from '../store/store.js';
import type { KeyFactory } from './key-generation.js';
import {
  revokeKey,
  rotateKeySet,
  UnknownKeyError,
  type KeyPolicy,
  type KeySetChange,
} from './key-lifecycle.js';
import type { KeyMirror } from './key-mirror.js';
import type { KeyRepository } from './key-repository.js';
import { activeKey, type KeySet } from './key-set.js';

/**
 * The operator's actions on the key set, shared by the running IdP and the `keys` command.
 * Each is one committed change in PostgreSQL, then copied and announced through Redis.
 */
export interface KeyCommandDeps {
  /** Where the revocation of a key is announced to every SDK. */
  store: Store;
  repository: KeyRepository;
  mirror: KeyMirror;
  policy: KeyPolicy;
  newKey: KeyFactory;
  now: () => number;
  /** Replicas a key revocation must reach in Redis before it is confirmed. */
  replication?: ReplicationPolicy;
  /** Where committed changes are recorded, and who made them (an operator's command). */
  audit?: AuditTrail;
  actor?: AuditActor;
}

/**
 * Commits `change`, then brings Redis along: the copy, and a notice so the other IdP
 * instances reload at once. Once committed the change stands even if Redis does not answer:
 * instances read PostgreSQL on their next check, and the first that reaches Redis copies it.
 */
export async function commitKeyChange(
  deps: Pick<KeyCommandDeps, 'repository' | 'mirror' | 'audit' | 'actor'>,
  change: (current: KeySet | null) => Promise<KeySetChange | null>,
): Promise<KeySet | null> {
  let before: KeySet | null = null;
  const { set, changed } = await deps.repository.update((current) => {
    before = current;
    return change(current);
  });
  if (set && changed) {
    if (deps.audit)
      await auditKeyChange(deps.audit, { before, after: set, reason: changed }, deps.actor);
    await deps.mirror.sync(set);
    await deps.mirror.announce(set, changed);
  }
  return set;
}

/**
 * Rotates the keys that were active when the caller looked (`seen`). When several operators
 * or instances ask at the same moment, the first commit wins and the others find the keys
 * they saw already retired: exactly one rotation happens.
 */
export async function rotateKeys(
  deps: KeyCommandDeps,
  seen: KeySet | null,
): Promise<KeySet | null> {
  const { policy, newKey, now } = deps;
  const seenActive = policy.algorithms.map((alg) => seen && activeKey(seen, alg)?.kid);
  return commitKeyChange(deps, async (current) => {
    if (!current) return null;
    const stillActive = policy.algorithms.map((alg) => activeKey(current, alg)?.kid);
    const unchanged = stillActive.every((kid, index) => kid === seenActive[index]);
    return unchanged ? rotateKeySet(current, now(), policy, newKey) : null;
  });
}

/**
 * Revokes a (compromised) key: SDKs refuse its tokens at once, and /jwks stops publishing it.
 *
 * Dropping the key from /jwks alone leaves it trusted by every verifier whose key-set cache is
 * still warm, for up to the JWKS cache lifetime: minutes of forged tokens accepted. So the
 * revocation is also recorded in the revoked set SDKs load and published on the channel they
 * listen to, kept until no token the key signed can be alive and no cache can still hold a key
 * set that had it (`policy.retentionMs`).
 *
 * PostgreSQL first: from that commit on the key never signs again and the revocation survives
 * any Redis. If Redis then fails, the command fails and can be run again; and the first IdP that
 * copies the new version into Redis writes the revocation there as well (key-mirror.ts).
 */
export async function revokeKeyById(deps: KeyCommandDeps, kid: string): Promise<KeySet | null> {
  const { store, repository, policy, newKey, now } = deps;
  const known = (await repository.read())?.keys.find((key) => key.kid === kid);
  if (!known) throw new UnknownKeyError(kid);
  const set = await commitKeyChange(deps, async (current) =>
    current ? revokeKey(current, kid, now(), policy, newKey) : null,
  );
  const revokedAt = set?.keys.find((key) => key.kid === kid)?.revokedAt ?? known.revokedAt ?? now();
  const revocation = { kind: 'key', kid, expiresAt: revokedAt + policy.retentionMs } as const;
  await recordRevocation(store, revocation, revokedAt, deps.replication);
  return set;
}
