import { storeKeys } from '@latchkey/protocol';
import { addressBucket } from '../http/client-address.js';
import type { Store } from '../store/store.js';
import { digestToken } from '../tokens/opaque-token.js';
import { normaliseUsername } from '../users/normalise.js';

/**
 * Limits on FAILED logins, in fixed windows: per account (slows guessing one password) and
 * per client address (slows spraying many accounts). A window always ends, so an attacker
 * can delay a user's login by at most one window, never lock them out for good.
 */
export interface LoginLimits {
  /** Failed attempts per account per window. Default 5. */
  perAccount: number;
  /** Failed attempts per address per window. Default 30. */
  perAddress: number;
  /** Default 15 minutes. */
  windowMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perAccount: 5,
  perAddress: 30,
  windowMs: 15 * 60_000,
};

/**
 * Every attempt is counted BEFORE its password is checked, in one atomic store step: counted
 * after the check, 100 attempts posted together all passed a check that none of them had
 * been counted in yet (99 guesses at bob's password and then the right one, against a limit
 * of 5). Attempts that turn out not to be failures are then taken back, so the limits still
 * count failures only.
 */
export interface LoginThrottle {
  /** Counts the attempt; null when it may go ahead, otherwise the seconds until one may. */
  admit(username: string, address: string): Promise<number | null>;
  /**
   * The password was right: the account's count is cleared, and the attempt is taken back
   * from the address (it was no failure). The address's failures stay: one valid account
   * must not wipe an attacker's count.
   */
  recordSuccess(username: string, address: string): Promise<void>;
  /** The password was never checked (hashing busy): the attempt counts nowhere. */
  release(username: string, address: string): Promise<void>;
}

export function createLoginThrottle(store: Store, limits: LoginLimits): LoginThrottle {
  // Usernames are digested: the key stays short and holds nothing a user typed. Both keys
  // carry the hash tag {login}: one script counts them together, and under Redis Cluster a
  // script's keys must share a slot. Logins are few (Argon2 paces them), so one slot copes.
  const accountKey = (username: string) =>
    storeKeys.counter('{login}account', digestToken(normaliseUsername(username)));
  // IPv6 per /64, as the request-rate limits count (client-address.ts).
  const addressKey = (address: string) =>
    storeKeys.counter('{login}address', addressBucket(address));

  return {
    async admit(username, address) {
      const answer = await store.countWithinLimits(
        [
          { key: accountKey(username), limit: limits.perAccount },
          { key: addressKey(address), limit: limits.perAddress },
        ],
        limits.windowMs,
      );
      return answer.allowed ? null : Math.max(1, Math.ceil(answer.retryAfterMs / 1000));
    },
    async recordSuccess(username, address) {
      await Promise.all([store.delete(accountKey(username)), store.decrement(addressKey(address))]);
    },
    async release(username, address) {
      await Promise.all([
        store.decrement(accountKey(username)),
        store.decrement(addressKey(address)),
      ]);
    },
  };
}
