/**
 * One refresh per refresh token, however many requests need it at once. The IdP treats a
 * refresh token used twice as stolen and ends the session (RFC 9700 §4.14.2), so two tabs
 * refreshing in parallel must share one call. The settled result is kept for `graceMs`: a
 * request that left the browser with the old cookie just before the new one arrived gets the
 * same new tokens instead of presenting a spent refresh token. Per process: several instances
 * of one app behind a load balancer need sticky sessions (or a shared lock) for the same promise.
 */
export interface SingleFlight<T> {
  run(key: string, work: () => Promise<T>): Promise<T>;
  readonly size: number;
}

export function createSingleFlight<T>(options: {
  graceMs: number;
  maxEntries: number;
  now?: () => number;
}): SingleFlight<T> {
  const now = options.now ?? Date.now;
  const entries = new Map<string, { promise: Promise<T>; settledAt: number | undefined }>();

  const sweep = (): void => {
    const t = now();
    for (const [key, entry] of entries) {
      if (entry.settledAt !== undefined && t - entry.settledAt > options.graceMs) {
        entries.delete(key);
      }
    }
    // Maps iterate in insertion order: past the bound, the oldest settled entries go first.
    for (const [key, entry] of entries) {
      if (entries.size <= options.maxEntries) break;
      if (entry.settledAt !== undefined) entries.delete(key);
    }
  };

  return {
    run(key, work) {
      const existing = entries.get(key);
      if (
        existing &&
        (existing.settledAt === undefined || now() - existing.settledAt <= options.graceMs)
      ) {
        return existing.promise;
      }
      sweep();
      const entry = { promise: work(), settledAt: undefined as number | undefined };
      // A failure is not kept: a retry after an outage must really retry.
      entry.promise.then(
        () => (entry.settledAt = now()),
        () => entries.get(key) === entry && entries.delete(key),
      );
      entries.set(key, entry);
      return entry.promise;
    },
    get size() {
      return entries.size;
    },
  };
}
