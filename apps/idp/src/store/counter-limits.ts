import type { CounterLimit } from './store.js';

/**
 * Both adapters refuse the same caller mistakes in `countWithinLimits`, so a bad limit fails
 * identically in dev (memory) and production (Redis). A limit below 1 would block every
 * attempt, and with no counter there is nothing to count: both are bugs, not policies.
 */
export function checkCounterLimits(counters: readonly CounterLimit[]): void {
  if (counters.length === 0) throw new TypeError('countWithinLimits needs at least one counter');
  for (const { key, limit } of counters) {
    if (typeof key !== 'string' || key === '') throw new TypeError('a counter key is required');
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new RangeError('a counter limit must be a whole number of at least 1');
    }
  }
}
