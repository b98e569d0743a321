import { storeKeys } from '@latchkey/protocol';
import { addressBucket } from '../http/client-address.js';
import type { Store } from '../store/store.js';
import { digestToken } from '../tokens/opaque-token.js';
import { normaliseUsername } from '../users/user.js';

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

export interface LoginThrottle {
  /** Null when an attempt may go ahead; otherwise the seconds until it may. */
  blocked(username: string, address: string): Promise<number | null>;
  recordFailure(username: string, address: string): Promise<void>;
  /** A successful login clears the account's count (not the address's: see below). */
  recordSuccess(username: string): Promise<void>;
}

export function createLoginThrottle(store: Store, limits: LoginLimits): LoginThrottle {
  // Usernames are digested: the key stays short and holds nothing a user typed.
  const accountKey = (username: string) =>
    storeKeys.counter('login-account', digestToken(normaliseUsername(username)));
  // IPv6 per /64, as the request-rate limits count (client-address.ts).
  const addressKey = (address: string) =>
    storeKeys.counter('login-address', addressBucket(address));

  const exhausted = async (key: string, limit: number): Promise<number | null> => {
    const count = Number((await store.get(key)) ?? 0);
    if (count < limit) return null;
    // Counting the refused attempt too gives us the window's remaining time; the window is
    // fixed, so it does not move the end of the block.
    const { ttlMs } = await store.increment(key, limits.windowMs);
    return Math.max(1, Math.ceil(ttlMs / 1000));
  };

  return {
    async blocked(username, address) {
      const [account, byAddress] = await Promise.all([
        exhausted(accountKey(username), limits.perAccount),
        exhausted(addressKey(address), limits.perAddress),
      ]);
      if (account === null && byAddress === null) return null;
      return Math.max(account ?? 0, byAddress ?? 0);
    },
    async recordFailure(username, address) {
      await Promise.all([
        store.increment(accountKey(username), limits.windowMs),
        store.increment(addressKey(address), limits.windowMs),
      ]);
    },
    async recordSuccess(username) {
      // The address count stays: one valid account must not reset an attacker's address.
      await store.delete(accountKey(username));
    },
  };
}
