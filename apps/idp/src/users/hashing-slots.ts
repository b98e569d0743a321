import { availableParallelism } from 'node:os';

/**
 * At most `slots` tasks at once; the others wait their turn, first come first served.
 *
 * Argon2id runs on libuv's thread pool (4 threads), off the event loop, but not off the CPU:
 * four hashes on a 2-core machine leave the event loop one fifth of a core, and every other
 * request waits (GET /jwks p99 ~ 60 ms during a login burst, measured). Keeping one core free
 * of hashing keeps the IdP responsive; logins queue a little instead.
 */
export function createSlots(slots: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= slots) await new Promise<void>((resolve) => waiting.push(resolve));
    else running += 1;
    try {
      return await task();
    } finally {
      // The slot passes straight to the next in line, or frees up.
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    }
  };
}

/** One core left for the event loop; at least one hash at a time. */
export const HASHING_SLOTS = Math.max(1, availableParallelism() - 1);
