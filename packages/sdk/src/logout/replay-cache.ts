/**
 * Where a verifier remembers the logout tokens it accepted, so that the same token presented
 * again is refused (Back-Channel Logout §2.6 step 8). In memory by default; a service running
 * several instances behind one `backchannel_logout_uri` plugs a shared one, such as
 * `createRedisReplayCache` from `@latchkey/sdk/redis`.
 */
export interface ReplayCache {
  /**
   * Records `key` until `expiresAtMs` (epoch ms) and says whether it was new: `true` the first
   * time, `false` while an earlier record lives. Must be atomic across everyone sharing the
   * cache (two deliveries racing must not both get `true`). Rejects when it cannot answer; the
   * verifier then reports `VerificationUnavailableError` (503) rather than accept a replay.
   */
  remember(key: string, expiresAtMs: number): boolean | Promise<boolean>;
}

export interface MemoryReplayCacheOptions {
  /** Most records held; when full, expired ones go first, then the oldest. Default `10000`. */
  maxEntries?: number;
  /** Clock in epoch ms. Default `Date.now`. */
  now?: () => number;
}

export const DEFAULT_REPLAY_CACHE_SIZE = 10_000;

/** Answers synchronously, from memory. */
export interface MemoryReplayCache extends ReplayCache {
  remember: (key: string, expiresAtMs: number) => boolean;
}

/**
 * One process's memory. Only tokens that passed every other check reach it (a signature by
 * the IdP's keys), so outsiders cannot fill it; should a flood of genuine tokens do so, the
 * oldest record goes, which can only re-admit a token about to expire anyway.
 */
export function createMemoryReplayCache(options: MemoryReplayCacheOptions = {}): MemoryReplayCache {
  const maxEntries = options.maxEntries ?? DEFAULT_REPLAY_CACHE_SIZE;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new TypeError('maxEntries must be a whole number ≥ 1');
  }
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw new TypeError('now must be a function');
  // Insertion order: with a short, bounded token lifetime, close to expiry order.
  const seen = new Map<string, number>();

  // From the front only, so each insert costs O(1) amortised: with a short, bounded lifetime
  // the front is close to the earliest expiry, and an expired record further back goes later.
  function makeRoom(at: number): void {
    for (const [key, expiresAt] of seen) {
      if (expiresAt > at || seen.size < maxEntries) break;
      seen.delete(key);
    }
    while (seen.size >= maxEntries) seen.delete(seen.keys().next().value!);
  }

  return {
    remember(key, expiresAtMs) {
      const at = now();
      const known = seen.get(key);
      if (known !== undefined && known > at) return false;
      if (known === undefined && seen.size >= maxEntries) makeRoom(at);
      seen.delete(key);
      seen.set(key, expiresAtMs);
      return true;
    },
  };
}
