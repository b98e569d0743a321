/**
 * The one storage interface of the IdP. Two adapters implement it: Redis (the default,
 * shared by every IdP instance) and memory (one process; dev and fast unit tests). Both
 * must pass `store.contract.ts`; code above this layer never knows which one it has.
 *
 * Values are strings: callers serialise. Every method that changes more than one thing
 * does so atomically, so a crash or a lost connection never leaves half a write behind.
 *
 * A write that rejects with `StoreUnavailableError` has an unknown outcome: the command may
 * have run before its reply was lost. Callers that must know re-read (compare-and-set makes
 * a retry safe).
 */
export interface Store {
  /** The value, or null when the key is absent or has expired. */
  get(key: string): Promise<string | null>;

  /**
   * Writes `value`. With `ttlMs` the key expires after that many milliseconds; without it,
   * any earlier expiry is removed. With `ifAbsent` nothing is written when the key exists,
   * and the result is false.
   */
  set(key: string, value: string, options?: SetOptions): Promise<boolean>;

  /**
   * Writes `value` only if the key currently holds exactly `expected` (null: is absent).
   * Atomic: of several concurrent calls with the same `expected`, at most one succeeds.
   */
  compareAndSet(
    key: string,
    expected: string | null,
    value: string,
    options?: { ttlMs?: number },
  ): Promise<boolean>;

  /** Reads and deletes in one atomic step (single-use values such as authorization codes). */
  take(key: string): Promise<string | null>;

  /**
   * Deletes the keys (values and sets alike); resolves to how many existed. Under Redis
   * Cluster, keys in different hash slots are deleted one by one, not in one atomic step.
   */
  delete(...keys: string[]): Promise<number>;

  /**
   * Adds one to a counter that starts at zero and expires `windowMs` after its first
   * increment (a fixed window, for rate limits). Resolves to the new count and the
   * milliseconds left in the window.
   */
  increment(key: string, windowMs: number): Promise<{ count: number; ttlMs: number }>;

  /**
   * Counts one attempt against several fixed-window limits in one atomic step, BEFORE the
   * work they protect, so that requests sent together cannot all pass a check made while
   * none of them had been counted yet (the failed-login throttle: 99 concurrent guesses
   * all passed a limit of 5 when counting followed the password check).
   *
   * When every counter is below its limit, adds one to each (a window starts at a counter's
   * first count, as with `increment`) and resolves `{ allowed: true }`. Otherwise counts
   * nothing and resolves `{ allowed: false, retryAfterMs }`, the time until the last of the
   * exhausted windows ends: a refused attempt does not lengthen any block. Of N concurrent
   * calls against a fresh limit L, exactly min(N, L) are allowed. Limits are whole numbers
   * of at least 1. Under Redis Cluster the keys must share a hash slot (a hash tag).
   */
  countWithinLimits(
    counters: readonly CounterLimit[],
    windowMs: number,
  ): Promise<{ allowed: true } | { allowed: false; retryAfterMs: number }>;

  /**
   * Takes one back from a live counter (an attempt counted in advance that must not count
   * after all), never below zero. The window is unchanged; an absent counter stays absent.
   */
  decrement(key: string): Promise<void>;

  /**
   * Adds `member` to the expiring set at `key`, kept until `expiresAt` (epoch ms). A member
   * already there keeps the later of its two expiries. Members whose time has passed are
   * dropped, and the set disappears with its last member, so a set never outlives its use.
   * (Sessions per user, revoked sessions.)
   */
  addToSet(key: string, member: string, expiresAt: number): Promise<void>;

  /** The set's members that have not expired, each with its expiry (epoch ms). */
  setMembers(key: string): Promise<Map<string, number>>;

  /** How many of the set's members have not expired, without reading them. */
  countSet(key: string): Promise<number>;

  /** Removes members from the set; resolves to how many were there. */
  removeFromSet(key: string, ...members: string[]): Promise<number>;

  /** Sends `message` to every current subscriber of `channel`, in this and other processes. */
  publish(channel: string, message: string): Promise<void>;

  /**
   * Calls `onMessage` for each message on `channel` until the returned function is called.
   * Resolves once the subscription is active. Delivery is at most once: a message published
   * while the connection is down is lost, so subscribers also re-read state periodically.
   */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<Unsubscribe>;

  /** Resolves when the store answers; rejects with a `StoreUnavailableError` otherwise. */
  ping(): Promise<void>;

  /** Releases connections and timers. The store is unusable afterwards. */
  close(): Promise<void>;

  /**
   * Waits until every write this process made so far on the connection that holds `key` has
   * reached at least `replicas` replicas, or `timeoutMs` passed (Redis WAIT); resolves to how
   * many replicas acknowledged. The caller decides what too few means (replication.ts fails
   * closed). Resolves at once with `replicas` where there is nothing to replicate to (memory).
   * WAIT holds the connection while it waits: send it on `durable()`, with the writes it is
   * to confirm, and keep `timeoutMs` short.
   */
  waitForReplicas(key: string, replicas: number, timeoutMs: number): Promise<number>;

  /**
   * The same store on a connection of its own (opened on first call, closed with this one),
   * for the writes a caller confirms with `waitForReplicas`: WAIT counts the writes of the
   * connection it is sent on and blocks it meanwhile, which on the shared connection would
   * hold up every other request while a replica is slow. The memory store returns itself.
   */
  durable(): Store;

  /**
   * Calls `listener` each time the connection comes back after it was lost (not on the first
   * connect): the Redis behind it may have restarted empty or from an older snapshot, so what
   * must be there (durable revocations) is written again. Returns a function that stops it.
   * Never called by the memory store, whose data cannot be lost without the process.
   */
  onReconnect(listener: () => void): () => void;
}

export interface CounterLimit {
  key: string;
  limit: number;
}

export interface SetOptions {
  ttlMs?: number;
  ifAbsent?: boolean;
}

export type Unsubscribe = () => Promise<void>;

/** The store could not be reached or did not answer in time. Callers answer 503. */
export class StoreUnavailableError extends Error {
  readonly code: 'ERR_STORE_UNAVAILABLE' | 'ERR_STORE_NOT_REPLICATED' = 'ERR_STORE_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/**
 * A write reached Redis but not enough replicas in time (store.waitForReplicas): a failover
 * now could lose it, so it is not confirmed. A kind of StoreUnavailableError, so every caller
 * already answers it with 503; the write itself is idempotent and a retry finishes it.
 */
export class ReplicationTimeoutError extends StoreUnavailableError {
  override readonly code = 'ERR_STORE_NOT_REPLICATED';
  constructor(
    readonly wanted: number,
    readonly acknowledged: number,
    timeoutMs: number,
  ) {
    super(`Redis write reached ${acknowledged} of ${wanted} replicas within ${timeoutMs} ms`);
    this.name = 'ReplicationTimeoutError';
  }
}
