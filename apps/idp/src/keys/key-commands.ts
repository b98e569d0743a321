import type { KeyFactory } from './key-generation.js';
import { revokeKey, rotateKeySet, type KeyPolicy } from './key-lifecycle.js';
import type { KeyRepository, StoredKeySet } from './key-repository.js';
import { activeKey, type KeySet } from './key-set.js';

/**
 * The operator's actions on the key set, shared by the running IdP and the `keys` command.
 * Each is one compare-and-set on the stored set.
 */
export interface KeyCommandDeps {
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

export async function revokeKeyById(deps: KeyCommandDeps, kid: string): Promise<StoredKeySet> {
  const { repository, policy, newKey, now } = deps;
  return repository.update(async (current) =>
    current ? revokeKey(current, kid, now(), policy, newKey) : null,
  );
}
