import type { CounterLimit, SetOptions, Store, Unsubscribe } from './store.js';
import { noopLogger, type StoreLogger } from './store-logger.js';
import { checkCounterLimits } from './counter-limits.js';
import { checkDurationMs, checkEpochMs } from './ttl.js';

export interface MemoryStoreOptions {
  /** Clock in epoch milliseconds; tests inject one to expire keys without sleeping. */
  now?: () => number;
  /** How often expired keys nobody reads again are dropped. Default one minute. */
  sweepIntervalMs?: number;
  /** Receives exceptions thrown by subscribers, which would otherwise crash the process. */
  logger?: StoreLogger;
}

export interface MemoryStore extends Store {
  /** Entries held, counting expired ones the sweep has not removed yet. For tests and metrics. */
  heldEntries(): number;
}

interface Entry {
  value: string;
  /** Epoch ms at which the key stops existing; null: never. */
  expiresAt: number | null;
}

type Listener = (message: string) => void;

/**
 * One process only: every instance has its own keys and channels, so two IdP instances on
 * memory stores share nothing. For development and fast tests. Each method does all its
 * work synchronously before its promise settles, which is what makes it atomic.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const now = options.now ?? Date.now;
  const logger = options.logger ?? noopLogger;
  const entries = new Map<string, Entry>();
  /** Expiring sets: member → expiry (epoch ms). Apart from `entries`, as Redis types are. */
  const sets = new Map<string, Map<string, number>>();
  const channels = new Map<string, Set<Listener>>();
  let closed = false;

  const sweep = setInterval(() => {
    const at = now();
    for (const [key, entry] of entries) {
      if (isExpired(entry, at)) entries.delete(key);
    }
    for (const key of sets.keys()) liveSet(key);
  }, options.sweepIntervalMs ?? 60_000);
  // The sweep is housekeeping; it must never be the reason a process stays alive.
  sweep.unref();

  /**
   * Runs `operation` at once (all its work is synchronous, so nothing interleaves: that is
   * the atomicity) and hands its outcome back as a promise, a throw becoming a rejection.
   */
  function whileOpen<A extends unknown[], R>(
    operation: (...args: A) => R,
  ): (...args: A) => Promise<R> {
    return (...args) => {
      try {
        if (closed) throw new Error('store closed');
        return Promise.resolve(operation(...args));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
  }

  /** The live entry, dropping it first if it has expired (lazy expiry). */
  function live(key: string): Entry | undefined {
    const entry = entries.get(key);
    if (entry && isExpired(entry, now())) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** The set with its expired members dropped; undefined (and removed) once it is empty. */
  function liveSet(key: string): Map<string, number> | undefined {
    const members = sets.get(key);
    if (!members) return undefined;
    const at = now();
    for (const [member, expiresAt] of members) if (expiresAt <= at) members.delete(member);
    if (members.size === 0) sets.delete(key);
    return members.size === 0 ? undefined : members;
  }

  function write(key: string, value: string, ttlMs: number | undefined): void {
    const expiresAt = ttlMs === undefined ? null : now() + checkDurationMs(ttlMs, 'ttlMs');
    entries.set(key, { value, expiresAt });
  }

  /** Redis INCR with a window: see Store.increment. */
  function increment(key: string, windowMs: number): { count: number; ttlMs: number } {
    const window = checkDurationMs(windowMs, 'windowMs');
    const at = now();
    const entry = live(key);
    if (!entry) {
      entries.set(key, { value: '1', expiresAt: at + window });
      return { count: 1, ttlMs: window };
    }
    const count = counterValue(key, entry) + 1;
    if (!Number.isSafeInteger(count)) throw new Error(`value at ${key} is not a counter`);
    entry.value = String(count);
    // A counter without expiry would rate-limit forever; restart its window instead.
    entry.expiresAt ??= at + window;
    return { count, ttlMs: entry.expiresAt - at };
  }

  function deliver(channel: string, listener: Listener, message: string): void {
    // A listener removed between publish and delivery must not hear the message: after
    // unsubscribe resolves, the callback is never called again.
    if (closed || !channels.get(channel)?.has(listener)) return;
    try {
      listener(message);
    } catch (error) {
      logger('store.subscriber_threw', { channel, err: error });
    }
  }

  const store: MemoryStore = {
    get: whileOpen((key: string) => live(key)?.value ?? null),

    set: whileOpen((key: string, value: string, setOptions: SetOptions = {}) => {
      if (setOptions.ifAbsent && live(key)) return false;
      write(key, value, setOptions.ttlMs);
      return true;
    }),

    compareAndSet: whileOpen(
      (
        key: string,
        expected: string | null,
        value: string,
        casOptions: { ttlMs?: number } = {},
      ) => {
        if ((live(key)?.value ?? null) !== expected) return false;
        write(key, value, casOptions.ttlMs);
        return true;
      },
    ),

    take: whileOpen((key: string) => {
      const entry = live(key);
      if (!entry) return null;
      entries.delete(key);
      return entry.value;
    }),

    delete: whileOpen((...keys: string[]) => {
      let removed = 0;
      // A key named twice counts once, as with Redis DEL.
      for (const key of new Set(keys)) {
        if (live(key)) {
          entries.delete(key);
          removed += 1;
        } else if (liveSet(key)) {
          sets.delete(key);
          removed += 1;
        }
      }
      return removed;
    }),

    increment: whileOpen(increment),

    countWithinLimits: whileOpen((counters: readonly CounterLimit[], windowMs: number) => {
      const window = checkDurationMs(windowMs, 'windowMs');
      checkCounterLimits(counters);
      const at = now();
      let waitMs = 0;
      for (const { key, limit } of counters) {
        const entry = live(key);
        if (!entry || counterValue(key, entry) < limit) continue;
        // As in increment: a counter without expiry gets one, or it would block forever.
        entry.expiresAt ??= at + window;
        waitMs = Math.max(waitMs, entry.expiresAt - at);
      }
      if (waitMs > 0) return { allowed: false as const, retryAfterMs: waitMs };
      for (const { key } of counters) increment(key, window);
      return { allowed: true as const };
    }),

    decrement: whileOpen((key: string) => {
      const entry = live(key);
      if (!entry) return;
      const count = counterValue(key, entry);
      if (count > 0) entry.value = String(count - 1);
    }),

    addToSet: whileOpen((key: string, member: string, expiresAt: number) => {
      checkEpochMs(expiresAt);
      if (expiresAt <= now()) return;
      let members = liveSet(key);
      if (!members) sets.set(key, (members = new Map<string, number>()));
      members.set(member, Math.max(expiresAt, members.get(member) ?? 0));
    }),

    setMembers: whileOpen((key: string) => new Map(liveSet(key))),

    countSet: whileOpen((key: string) => liveSet(key)?.size ?? 0),

    removeFromSet: whileOpen((key: string, ...members: string[]) => {
      const set = liveSet(key);
      let removed = 0;
      for (const member of new Set(members)) if (set?.delete(member)) removed += 1;
      if (set?.size === 0) sets.delete(key);
      return removed;
    }),

    publish: whileOpen((channel: string, message: string) => {
      for (const listener of channels.get(channel) ?? []) {
        // Delivered on a later turn of the event loop, as a message crossing a socket would
        // be, so code tested on memory cannot come to rely on hearing its own publish first.
        setImmediate(() => deliver(channel, listener, message));
      }
    }),

    subscribe: whileOpen((channel: string, onMessage: (message: string) => void): Unsubscribe => {
      // Wrapped so the same function subscribed twice is two subscriptions, as with Redis.
      const listener: Listener = (message) => onMessage(message);
      let listeners = channels.get(channel);
      if (!listeners) channels.set(channel, (listeners = new Set()));
      listeners.add(listener);
      return () => {
        const current = channels.get(channel);
        current?.delete(listener);
        if (current?.size === 0) channels.delete(channel);
        return Promise.resolve();
      };
    }),

    ping: whileOpen(() => {}),

    // Nothing to replicate to: every write is already where every reader looks.
    waitForReplicas: whileOpen((_key: string, replicas: number) => replicas),

    onReconnect: () => () => {},

    // One process, one map: there is no other connection to keep the writes apart on.
    durable: () => store,

    close() {
      closed = true;
      clearInterval(sweep);
      entries.clear();
      sets.clear();
      channels.clear();
      return Promise.resolve();
    },

    heldEntries() {
      return entries.size + sets.size;
    },
  };
  return store;
}

/** The refusal Redis INCR gives for a key holding something other than an integer. */
function counterValue(key: string, entry: Entry): number {
  const count = Number(entry.value);
  if (!/^-?\d+$/.test(entry.value) || !Number.isSafeInteger(count)) {
    throw new Error(`value at ${key} is not a counter`);
  }
  return count;
}

function isExpired(entry: Entry, at: number): boolean {
  return entry.expiresAt !== null && entry.expiresAt <= at;
}
