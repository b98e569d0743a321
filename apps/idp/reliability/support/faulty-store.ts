import { channels, storeKeys } from '@latchkey/protocol';
import { StoreUnavailableError, type Store } from '../../src/store/store.js';

/**
 * A store that goes down at an exact step, to crash a request between any two of its store
 * operations: Redis lost before the Nth command is sent (`before`), or after Redis ran it but
 * before its reply arrived (`after`: an unknown outcome). From then on every call fails, as
 * with Redis gone, until `heal()`. The key manager's own traffic (the key set and its
 * notices) is neither counted nor failed, so its background ticks cannot shift the count.
 */
export interface FaultyStore {
  readonly store: Store;
  /** Fails the `step`th counted operation from now on (1 = the first). */
  failAt(step: number, mode: 'before' | 'after'): void;
  heal(): void;
  /** The operations counted since the last failAt, e.g. `compareAndSet latchkey:code:…`. */
  readonly operations: string[];
}

export function faultyStore(inner: Store): FaultyStore {
  let failStep = Infinity;
  let mode: 'before' | 'after' = 'before';
  let down = false;
  const operations: string[] = [];

  const unavailable = () => new StoreUnavailableError('Redis lost (injected by the test)');

  async function guard<T>(name: string, key: string, call: () => Promise<T>): Promise<T> {
    if (key === storeKeys.keySet || key === channels.keySetChanged) return call();
    if (down) throw unavailable();
    operations.push(`${name} ${key}`);
    if (operations.length !== failStep) return call();
    down = true;
    if (mode === 'after') await call();
    throw unavailable();
  }

  const store: Store = {
    get: (key) => guard('get', key, () => inner.get(key)),
    set: (key, value, options) => guard('set', key, () => inner.set(key, value, options)),
    compareAndSet: (key, expected, value, options) =>
      guard('compareAndSet', key, () => inner.compareAndSet(key, expected, value, options)),
    take: (key) => guard('take', key, () => inner.take(key)),
    delete: (...keys) => guard('delete', keys.join(','), () => inner.delete(...keys)),
    increment: (key, windowMs) => guard('increment', key, () => inner.increment(key, windowMs)),
    countWithinLimits: (counters, windowMs) =>
      guard('countWithinLimits', counters.map((counter) => counter.key).join(','), () =>
        inner.countWithinLimits(counters, windowMs),
      ),
    decrement: (key) => guard('decrement', key, () => inner.decrement(key)),
    addToSet: (key, member, expiresAt) =>
      guard('addToSet', key, () => inner.addToSet(key, member, expiresAt)),
    setMembers: (key) => guard('setMembers', key, () => inner.setMembers(key)),
    countSet: (key) => guard('countSet', key, () => inner.countSet(key)),
    removeFromSet: (key, ...members) =>
      guard('removeFromSet', key, () => inner.removeFromSet(key, ...members)),
    publish: (channel, message) => guard('publish', channel, () => inner.publish(channel, message)),
    subscribe: (channel, onMessage) => inner.subscribe(channel, onMessage),
    ping: () => (down ? Promise.reject(unavailable()) : inner.ping()),
    close: () => inner.close(),
    waitForReplicas: (key, replicas, timeoutMs) =>
      guard('waitForReplicas', key, () => inner.waitForReplicas(key, replicas, timeoutMs)),
    onReconnect: (listener) => inner.onReconnect(listener),
    // The same faults on the confirmed writes' connection: one sequence of steps for both.
    durable: () => store,
  };

  return {
    store,
    operations,
    failAt(step, failMode) {
      operations.length = 0;
      failStep = step;
      mode = failMode;
      down = false;
    },
    heal() {
      failStep = Infinity;
      down = false;
    },
  };
}
