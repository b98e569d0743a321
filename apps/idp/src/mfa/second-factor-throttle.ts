import { storeKeys } from '@latchkey/protocol';
import type { Store } from '../store/store.js';

/**
 * Limits on wrong second-factor codes, per account, in fixed windows (as the password
 * throttle, login/login-throttle.ts). A six-digit code with a ±1 step window has 3 chances
 * in a million per guess: 5 guesses per 15 minutes make a year of guessing worth about a 5%
 * chance, and a window always ends, so the owner is delayed, never locked out for good.
 */
export interface SecondFactorLimits {
  /** Wrong codes per account per window. Default 5. */
  perAccount: number;
  /** Default 15 minutes. */
  windowMs: number;
}

export const DEFAULT_SECOND_FACTOR_LIMITS: SecondFactorLimits = {
  perAccount: 5,
  windowMs: 15 * 60_000,
};

export interface SecondFactorThrottle {
  /** Counts the attempt before the code is checked; null, or seconds until one may. */
  admit(userId: string): Promise<number | null>;
  /** The code was right: the count starts again. */
  clear(userId: string): Promise<void>;
}

export function createSecondFactorThrottle(
  store: Store,
  limits: SecondFactorLimits,
): SecondFactorThrottle {
  const key = (userId: string) => storeKeys.counter('{mfa}account', userId);
  return {
    async admit(userId) {
      // Counted before the check, in one atomic step: 100 codes posted together cannot all
      // pass a check none of them had been counted in yet.
      const answer = await store.countWithinLimits(
        [{ key: key(userId), limit: limits.perAccount }],
        limits.windowMs,
      );
      return answer.allowed ? null : Math.max(1, Math.ceil(answer.retryAfterMs / 1000));
    },
    async clear(userId) {
      await store.delete(key(userId));
    },
  };
}
