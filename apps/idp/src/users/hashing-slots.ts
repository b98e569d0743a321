import { availableParallelism } from 'node:os';

/**
 * At most `slots` tasks at once; the others wait their turn, first come first served.
 *
 * Argon2id runs on libuv's thread pool (4 threads), off the event loop, but not off the CPU:
 * four hashes on a 2-core machine leave the event loop one fifth of a core, and every other
 * request waits (GET /jwks p99 ~ 60 ms during a login burst, measured). Keeping one core free
 * of hashing keeps the IdP responsive; logins queue a little instead.
 */
export interface Slots {
  /** Runs `task` in a slot, waiting as long as it takes (operators' work: seeding users). */
  run<T>(task: () => Promise<T>): Promise<T>;
  /**
   * Runs `task` in a slot, or rejects at once with `SlotsBusyError` when `maxWaiting` tasks
   * are already waiting: what a request from the network uses, so a burst of them cannot
   * pile up unbounded work and memory behind the hashes.
   */
  runOrRefuse<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks running now, waiting now, and started since creation (for tests and metrics). */
  stats(): { running: number; waiting: number; started: number };
}

/** Every slot is taken and the waiting line is full: answer "try again later" (503). */
export class SlotsBusyError extends Error {
  readonly code = 'ERR_HASHING_BUSY';
  constructor() {
    super('every hashing slot is taken and the waiting line is full');
    this.name = 'SlotsBusyError';
  }
}

export function createSlots(slots: number, options: { maxWaiting?: number } = {}): Slots {
  const maxWaiting = options.maxWaiting ?? Number.POSITIVE_INFINITY;
  if (!Number.isSafeInteger(slots) || slots < 1) throw new TypeError('slots must be at least 1');
  if (
    maxWaiting !== Number.POSITIVE_INFINITY &&
    !(Number.isSafeInteger(maxWaiting) && maxWaiting >= 0)
  )
    throw new TypeError('maxWaiting must be a whole number');
  let running = 0;
  let started = 0;
  const waiting: (() => void)[] = [];

  async function run<T>(task: () => Promise<T>): Promise<T> {
    if (running >= slots) await new Promise<void>((resolve) => waiting.push(resolve));
    else running += 1;
    started += 1;
    try {
      return await task();
    } finally {
      // The slot passes straight to the next in line, or frees up.
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    }
  }

  return {
    run,
    runOrRefuse(task) {
      if (running >= slots && waiting.length >= maxWaiting) {
        return Promise.reject(new SlotsBusyError());
      }
      return run(task);
    },
    stats: () => ({ running, waiting: waiting.length, started }),
  };
}

/** One core left for the event loop; at least one hash at a time. */
export const HASHING_SLOTS = Math.max(1, availableParallelism() - 1);

/**
 * Logins allowed to wait for a slot, per slot. A verification costs ~26 ms on the 2-core
 * machines here (measured), so the last in line waits under a second; beyond that a login
 * is better told to try again than left waiting while the burst grows.
 */
export const HASHING_MAX_WAITING = 32 * HASHING_SLOTS;
