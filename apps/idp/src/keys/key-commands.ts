import { recordRevocation } from '../store/revocation-record.js';
import type { Store } from '../store/store.js';
import type { KeyFactory } from './key-generation.js';
import { revokeKey, rotateKeySet, UnknownKeyError, type KeyPolicy } from './key-lifecycle.js';
import type { KeyRepository, StoredKeySet } from './key-repository.js';
import { activeKey, type KeySet } from './key-set.js';

/**
 * The operator's actions on the key set, shared by the running IdP and the `keys` command.
 * Each is one compare-and-set on the stored set.
 */
export interface KeyCommandDeps {
  /** Where the revocation of a key is recorded and announced to every SDK. */
  store: Store;
  repository: KeyRepository;
  policy: KeyPolicy;
  newKey: KeyFactory;
  now: () => number;
}

/**
 * Rotates the keys that were active when the caller looked (`seen`). When several operators
 * or instances ask at the same moment, the first write wins and the others find the keys
 * they saw already retired: exactly one rotation happens.
 */
export async function rotateKeys(deps: KeyCommandDeps, seen: KeySet | null): Promise<StoredKeySet> {
  const { repository, policy, newKey, now } = deps;
  const seenActive = policy.algorithms.map((alg) => seen && activeKey(seen, alg)?.kid);
  return repository.update(async (current) => {
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
 * revocation is also recorded and published on the revocation channel SDKs listen to, kept until
 * no token the key signed can be alive and no cache can still hold a key set that had it
 * (`policy.retentionMs`). Recorded first: if removing it from the set then fails, tokens are
 * refused anyway and running the command again finishes the job.
 */
export async function revokeKeyById(deps: KeyCommandDeps, kid: string): Promise<StoredKeySet> {
  const { store, repository, policy, newKey, now } = deps;
  const known = (await repository.read()).set?.keys.find((key) => key.kid === kid);
  if (!known) throw new UnknownKeyError(kid);
  const revokedAt = known.revokedAt ?? now();
  await recordRevocation(store, { kind: 'key', kid, expiresAt: revokedAt + policy.retentionMs });
  return repository.update(async (current) =>
    current ? revokeKey(current, kid, now(), policy, newKey) : null,
  );
}
