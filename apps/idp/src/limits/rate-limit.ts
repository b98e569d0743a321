import { storeKeys } from '@latchkey/protocol';
import type { Rate } from '../config/rate.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/store.js';

/** What a limiter says about one request. */
export type Verdict = { allowed: true } | { allowed: false; retryAfterSec: number };

/**
 * The policy, on a fixed-window count that includes this request: over the limit is refused
 * until the window ends (Retry-After in whole seconds, at least 1, RFC 9110 §10.2.3).
 */
export function verdict(count: number, ttlMs: number, rate: Rate): Verdict {
  if (count <= rate.limit) return { allowed: true };
  return { allowed: false, retryAfterSec: Math.max(1, Math.ceil(ttlMs / 1000)) };
}

export interface RateLimiter {
  /** Counts one request against `subject` in `scope` and says whether it may go ahead. */
  consume(scope: string, subject: string, rate: Rate): Promise<Verdict>;
}

export interface RateLimiterOptions {
  logger: Logger;
  now?: () => number;
  /**
   * How long a count may take in the store before this request is decided on the local
   * count instead. Default 100 ms: a healthy Redis answers in well under a millisecond.
   */
  storeBudgetMs?: number;
  /** After the store missed its budget, how long to count locally only. Default 2 s. */
  localOnlyMs?: number;
  /** Bound on the local counters kept (distinct subjects). Default 10 000. */
  maxLocalCounters?: number;
}

/**
 * Fixed-window counters in the store, shared by every IdP instance on the same Redis.
 *
 * When the store cannot count (down, or slower than the budget) the request is decided on a
 * per-process counter with the same rate instead: the limit still holds, per instance, so an
 * outage neither opens the gates (fail-open) nor refuses traffic the IdP could still serve
 * (fail-closed: `client_credentials` signs tokens without Redis). After a store that was
 * slow to answer, the local counter alone is used for a while, so an outage adds at most the
 * budget to one request in each such period rather than a command timeout to every request.
 */
export function createRateLimiter(store: Store, options: RateLimiterOptions): RateLimiter {
  const now = options.now ?? Date.now;
  const budgetMs = options.storeBudgetMs ?? 100;
  const localOnlyMs = options.localOnlyMs ?? 2_000;
  const local = localCounters(options.maxLocalCounters ?? 10_000, now);
  let localOnlyUntil = 0;
  let degraded = false;

  const fallBack = (reason: string, error?: unknown) => {
    if (!degraded) {
      degraded = true;
      options.logger.warn('rate_limit.local_fallback', { reason, err: error });
    }
  };

  return {
    async consume(scope, subject, rate) {
      const key = storeKeys.counter(`rate-${scope}`, subject);
      if (now() < localOnlyUntil) {
        const counted = local.increment(key, rate.windowMs);
        return verdict(counted.count, counted.ttlMs, rate);
      }
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), budgetMs);
      });
      const counting = store.increment(key, rate.windowMs);
      try {
        const counted = await Promise.race([counting, late]);
        if (counted !== 'late') {
          if (degraded) {
            degraded = false;
            options.logger.info('rate_limit.shared_again', {});
          }
          return verdict(counted.count, counted.ttlMs, rate);
        }
        // The count may still land; it must not become an unhandled rejection meanwhile.
        counting.catch(() => undefined);
        localOnlyUntil = now() + localOnlyMs;
        fallBack('store slower than the budget');
      } catch (error) {
        fallBack('store failed', error);
      } finally {
        clearTimeout(timer);
      }
      const counted = local.increment(key, rate.windowMs);
      return verdict(counted.count, counted.ttlMs, rate);
    },
  };
}

/** Fixed-window counters in this process, bounded in number. */
function localCounters(max: number, now: () => number) {
  const counters = new Map<string, { count: number; endsAt: number }>();
  return {
    increment(key: string, windowMs: number): { count: number; ttlMs: number } {
      const at = now();
      let counter = counters.get(key);
      if (!counter || counter.endsAt <= at) {
        if (counters.size >= max) {
          for (const [name, { endsAt }] of counters) if (endsAt <= at) counters.delete(name);
          // Still full of live windows (many distinct subjects): start over rather than grow.
          // Only reachable while the store is away, and it errs on the side of serving.
          if (counters.size >= max) counters.clear();
        }
        counter = { count: 0, endsAt: at + windowMs };
        counters.set(key, counter);
      }
      counter.count += 1;
      return { count: counter.count, ttlMs: counter.endsAt - at };
    },
  };
}
