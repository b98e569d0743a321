import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StoreUnavailableError, type Store, type Unsubscribe } from './store.js';
import { sleep, waitFor } from '@latchkey/testing';

export interface StoreContractHooks {
  /** Runs once the suite's store is closed, e.g. to check what the adapter logged. */
  afterAll?: () => Promise<void> | void;
}

/**
 * The behaviour every Store adapter must share, so code above the store can be tested on
 * memory and run on Redis. Timing tests use real, short TTLs because Redis's clock cannot
 * be faked. Every test works under its own random key prefix, so suites may run against a
 * shared Redis, and deletes the keys it made.
 */
export function describeStoreContract(
  name: string,
  makeStore: () => Promise<Store> | Store,
  hooks: StoreContractHooks = {},
): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    let prefix = '';
    let keys: string[] = [];
    let subscriptions: Unsubscribe[] = [];

    /** A key unique to this test, deleted after it. */
    const key = (label: string): string => {
      const made = `${prefix}${label}`;
      keys.push(made);
      return made;
    };
    /**
     * A key of this test in one hash slot shared with its other `slotKey`s: what
     * countWithinLimits asks of its keys (Redis Cluster runs a script on one slot only).
     */
    const slotKey = (label: string): string => key(`{${prefix}}${label}`);
    const channel = (label: string): string => `${prefix}channel:${label}`;
    const subscribe = async (on: string, into: string[]): Promise<Unsubscribe> => {
      const unsubscribe = await store.subscribe(on, (message) => into.push(message));
      subscriptions.push(unsubscribe);
      return unsubscribe;
    };

    beforeAll(async () => {
      store = await makeStore();
    });
    afterAll(async () => {
      await store?.close();
      await hooks.afterAll?.();
    });
    beforeEach(() => {
      prefix = `test:${randomUUID()}:`;
      keys = [];
      subscriptions = [];
    });
    afterEach(async () => {
      await Promise.all(subscriptions.map((unsubscribe) => unsubscribe()));
      if (keys.length > 0) await store.delete(...keys);
    });

    describe('get and set', () => {
      it('reads null for a key never written', async () => {
        expect(await store.get(key('missing'))).toBeNull();
      });

      it('reads back what was written, and the empty string is a value, not absence', async () => {
        const k = key('k');
        expect(await store.set(k, 'héllo ✓')).toBe(true);
        expect(await store.get(k)).toBe('héllo ✓');
        await store.set(k, '');
        expect(await store.get(k)).toBe('');
      });

      it('overwrites an existing value', async () => {
        const k = key('k');
        await store.set(k, 'one');
        await store.set(k, 'two');
        expect(await store.get(k)).toBe('two');
      });

      it('expires a key after ttlMs', async () => {
        const k = key('ttl');
        await store.set(k, 'v', { ttlMs: 100 });
        expect(await store.get(k)).toBe('v');
        await waitFor('the key to expire', async () => (await store.get(k)) === null);
      });

      it('drops an earlier TTL when the key is written again without one', async () => {
        const k = key('ttl');
        await store.set(k, 'short-lived', { ttlMs: 50 });
        await store.set(k, 'kept');
        await sleep(120);
        expect(await store.get(k)).toBe('kept');
      });

      it('with ifAbsent writes a missing key', async () => {
        const k = key('k');
        expect(await store.set(k, 'first', { ifAbsent: true })).toBe(true);
        expect(await store.get(k)).toBe('first');
      });

      it('with ifAbsent leaves an existing key alone and returns false', async () => {
        const k = key('k');
        await store.set(k, 'old');
        expect(await store.set(k, 'new', { ifAbsent: true })).toBe(false);
        expect(await store.get(k)).toBe('old');
      });

      it('with ifAbsent writes once the old key has expired', async () => {
        const k = key('k');
        await store.set(k, 'old', { ttlMs: 50 });
        await waitFor('the key to expire', async () => (await store.get(k)) === null);
        expect(await store.set(k, 'new', { ifAbsent: true, ttlMs: 1_000 })).toBe(true);
        expect(await store.get(k)).toBe('new');
      });

      it('rejects a TTL that is not a positive number of milliseconds', async () => {
        const k = key('k');
        await expect(store.set(k, 'v', { ttlMs: 0 })).rejects.toBeInstanceOf(RangeError);
        await expect(store.set(k, 'v', { ttlMs: -5 })).rejects.toBeInstanceOf(RangeError);
        await expect(store.set(k, 'v', { ttlMs: Number.NaN })).rejects.toBeInstanceOf(RangeError);
        expect(await store.get(k)).toBeNull();
      });
    });

    describe('compareAndSet', () => {
      it('with expected null writes an absent key', async () => {
        const k = key('k');
        expect(await store.compareAndSet(k, null, 'v')).toBe(true);
        expect(await store.get(k)).toBe('v');
      });

      it('with expected null refuses a present key', async () => {
        const k = key('k');
        await store.set(k, 'old');
        expect(await store.compareAndSet(k, null, 'new')).toBe(false);
        expect(await store.get(k)).toBe('old');
      });

      it('replaces the value when the expected one is there', async () => {
        const k = key('k');
        await store.set(k, 'v1');
        expect(await store.compareAndSet(k, 'v1', 'v2')).toBe(true);
        expect(await store.get(k)).toBe('v2');
      });

      it('refuses when another value is there', async () => {
        const k = key('k');
        await store.set(k, 'v1');
        expect(await store.compareAndSet(k, 'other', 'v2')).toBe(false);
        expect(await store.get(k)).toBe('v1');
      });

      it('refuses when a value is expected but the key is absent', async () => {
        const k = key('k');
        expect(await store.compareAndSet(k, 'v1', 'v2')).toBe(false);
        expect(await store.get(k)).toBeNull();
      });

      it('tells the empty string apart from absence', async () => {
        const k = key('k');
        expect(await store.compareAndSet(k, '', 'v')).toBe(false);
        await store.set(k, '');
        expect(await store.compareAndSet(k, null, 'v')).toBe(false);
        expect(await store.compareAndSet(k, '', 'v')).toBe(true);
      });

      it('applies ttlMs to the written value', async () => {
        const k = key('k');
        expect(await store.compareAndSet(k, null, 'v', { ttlMs: 100 })).toBe(true);
        expect(await store.get(k)).toBe('v');
        await waitFor('the key to expire', async () => (await store.get(k)) === null);
      });

      it('lets exactly one of 20 concurrent calls with the same expected value win', async () => {
        const k = key('k');
        await store.set(k, 'v0');
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.compareAndSet(k, 'v0', `v${i + 1}`)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await store.get(k)).toBe(`v${results.indexOf(true) + 1}`);
      });

      it('lets exactly one of 20 concurrent creations of an absent key win', async () => {
        const k = key('k');
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.compareAndSet(k, null, `v${i}`)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await store.get(k)).toBe(`v${results.indexOf(true)}`);
      });
    });

    describe('take', () => {
      it('returns the value once, then null, and removes the key', async () => {
        const k = key('code');
        await store.set(k, 'secret');
        expect(await store.take(k)).toBe('secret');
        expect(await store.take(k)).toBeNull();
        expect(await store.get(k)).toBeNull();
      });

      it('returns null for an absent key', async () => {
        expect(await store.take(key('missing'))).toBeNull();
      });

      it('returns null for an expired key', async () => {
        const k = key('code');
        await store.set(k, 'secret', { ttlMs: 50 });
        await waitFor('the key to expire', async () => (await store.get(k)) === null);
        expect(await store.take(k)).toBeNull();
      });

      it('gives the value to exactly one of 20 concurrent takers', async () => {
        const k = key('code');
        await store.set(k, 'secret');
        const results = await Promise.all(Array.from({ length: 20 }, () => store.take(k)));
        expect(results.filter((value) => value === 'secret')).toHaveLength(1);
        expect(results.filter((value) => value === null)).toHaveLength(19);
      });
    });

    describe('delete', () => {
      it('counts only the keys that existed and removes them', async () => {
        const [a, b, c] = [key('a'), key('b'), key('c')];
        await store.set(a, '1');
        await store.set(b, '2');
        expect(await store.delete(a, b, c)).toBe(2);
        expect(await store.get(a)).toBeNull();
        expect(await store.get(b)).toBeNull();
      });

      it('counts a key named twice once', async () => {
        const k = key('k');
        await store.set(k, 'v');
        expect(await store.delete(k, k)).toBe(1);
      });

      it('resolves 0 when given no keys or only absent ones', async () => {
        expect(await store.delete()).toBe(0);
        expect(await store.delete(key('missing'))).toBe(0);
      });

      it('does not count an expired key', async () => {
        const k = key('k');
        await store.set(k, 'v', { ttlMs: 50 });
        await waitFor('the key to expire', async () => (await store.get(k)) === null);
        expect(await store.delete(k)).toBe(0);
      });
    });

    describe('increment', () => {
      it('counts 1, 2, 3 within one window', async () => {
        const k = key('counter');
        const windowMs = 10_000;
        const seen: { count: number; ttlMs: number }[] = [];
        for (let i = 0; i < 3; i += 1) seen.push(await store.increment(k, windowMs));
        expect(seen.map((result) => result.count)).toEqual([1, 2, 3]);
        for (const { ttlMs } of seen) {
          expect(ttlMs).toBeGreaterThan(0);
          expect(ttlMs).toBeLessThanOrEqual(windowMs);
        }
        // A fixed window: later increments do not push the end of the window back.
        expect(seen[2]!.ttlMs).toBeLessThanOrEqual(seen[0]!.ttlMs);
      });

      it('starts again at 1 once the window has passed', async () => {
        const k = key('counter');
        await store.increment(k, 100);
        expect((await store.increment(k, 100)).count).toBe(2);
        await waitFor('the window to end', async () => (await store.get(k)) === null);
        const restarted = await store.increment(k, 100);
        expect(restarted.count).toBe(1);
        expect(restarted.ttlMs).toBeGreaterThan(0);
        expect(restarted.ttlMs).toBeLessThanOrEqual(100);
      });

      it('gives each of 20 concurrent increments a distinct count', async () => {
        const k = key('counter');
        const results = await Promise.all(
          Array.from({ length: 20 }, () => store.increment(k, 10_000)),
        );
        const counts = results.map((result) => result.count).sort((x, y) => x - y);
        expect(counts).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      });

      it('keeps separate counters for separate keys', async () => {
        const [a, b] = [key('a'), key('b')];
        await store.increment(a, 10_000);
        await store.increment(a, 10_000);
        expect((await store.increment(b, 10_000)).count).toBe(1);
      });

      it('refuses a key that holds something other than a counter, as a bug, not an outage', async () => {
        const k = key('k');
        await store.set(k, 'not a number');
        const error: unknown = await store.increment(k, 10_000).catch((reason: unknown) => reason);
        expect(error).toBeInstanceOf(Error);
        expect(error).not.toBeInstanceOf(StoreUnavailableError);
        expect(await store.get(k)).toBe('not a number');
      });

      it('rejects a window that is not a positive number of milliseconds', async () => {
        await expect(store.increment(key('counter'), 0)).rejects.toBeInstanceOf(RangeError);
      });
    });

    describe('countWithinLimits', () => {
      const WINDOW_MS = 10_000;

      it('counts every counter while all are below their limits, then refuses without counting', async () => {
        const [account, address] = [slotKey('account'), slotKey('address')];
        const counters = [
          { key: account, limit: 2 },
          { key: address, limit: 5 },
        ];
        expect(await store.countWithinLimits(counters, WINDOW_MS)).toEqual({ allowed: true });
        expect(await store.countWithinLimits(counters, WINDOW_MS)).toEqual({ allowed: true });
        expect([await store.get(account), await store.get(address)]).toEqual(['2', '2']);
        const refused = await store.countWithinLimits(counters, WINDOW_MS);
        expect(refused.allowed).toBe(false);
        if (refused.allowed) return;
        expect(refused.retryAfterMs).toBeGreaterThan(0);
        expect(refused.retryAfterMs).toBeLessThanOrEqual(WINDOW_MS);
        // The refused attempt counted nowhere: not even on the counter with room left.
        expect([await store.get(account), await store.get(address)]).toEqual(['2', '2']);
      });

      it('refuses when any one counter is at its limit', async () => {
        const [full, empty] = [slotKey('full'), slotKey('empty')];
        for (let i = 0; i < 3; i += 1) await store.increment(full, WINDOW_MS);
        const refused = await store.countWithinLimits(
          [
            { key: empty, limit: 100 },
            { key: full, limit: 3 },
          ],
          WINDOW_MS,
        );
        expect(refused.allowed).toBe(false);
        expect(await store.get(empty)).toBeNull();
      });

      it('allows exactly the limit of 100 concurrent attempts, counting each on every counter', async () => {
        const [account, address] = [slotKey('account'), slotKey('address')];
        const counters = [
          { key: account, limit: 5 },
          { key: address, limit: 30 },
        ];
        const answers = await Promise.all(
          Array.from({ length: 100 }, () => store.countWithinLimits(counters, WINDOW_MS)),
        );
        expect(answers.filter((answer) => answer.allowed)).toHaveLength(5);
        expect([await store.get(account), await store.get(address)]).toEqual(['5', '5']);
      });

      it('starts a fixed window at the first count and allows again once it has passed', async () => {
        const k = slotKey('counter');
        expect((await store.countWithinLimits([{ key: k, limit: 1 }], 100)).allowed).toBe(true);
        expect((await store.countWithinLimits([{ key: k, limit: 1 }], 100)).allowed).toBe(false);
        await waitFor('the window to end', async () => (await store.get(k)) === null);
        expect((await store.countWithinLimits([{ key: k, limit: 1 }], 100)).allowed).toBe(true);
      });

      it('refuses a key that holds something other than a counter, as a bug, counting nothing', async () => {
        const [bad, other] = [slotKey('bad'), slotKey('other')];
        await store.set(bad, 'not a number');
        const error: unknown = await store
          .countWithinLimits(
            [
              { key: other, limit: 5 },
              { key: bad, limit: 5 },
            ],
            WINDOW_MS,
          )
          .catch((reason: unknown) => reason);
        expect(error).toBeInstanceOf(Error);
        expect(error).not.toBeInstanceOf(StoreUnavailableError);
        expect(await store.get(other)).toBeNull();
      });

      it('rejects limits below 1 or fractional, no counters, and a bad window', async () => {
        const k = slotKey('counter');
        await expect(
          store.countWithinLimits([{ key: k, limit: 0 }], WINDOW_MS),
        ).rejects.toBeInstanceOf(RangeError);
        await expect(
          store.countWithinLimits([{ key: k, limit: 1.5 }], WINDOW_MS),
        ).rejects.toBeInstanceOf(RangeError);
        await expect(store.countWithinLimits([], WINDOW_MS)).rejects.toBeInstanceOf(TypeError);
        await expect(store.countWithinLimits([{ key: k, limit: 1 }], 0)).rejects.toBeInstanceOf(
          RangeError,
        );
        expect(await store.get(k)).toBeNull();
      });
    });

    describe('decrement', () => {
      it('takes one back without moving the end of the window, never below zero', async () => {
        const k = key('counter');
        const first = await store.increment(k, 10_000);
        await store.increment(k, 10_000);
        await store.decrement(k);
        expect(await store.get(k)).toBe('1');
        await store.decrement(k);
        await store.decrement(k);
        expect(await store.get(k)).toBe('0');
        // Still the same window: the next count does not start a new one.
        const next = await store.increment(k, 10_000);
        expect(next.count).toBe(1);
        expect(next.ttlMs).toBeLessThanOrEqual(first.ttlMs);
      });

      it('leaves an absent counter absent', async () => {
        const k = key('counter');
        await store.decrement(k);
        expect(await store.get(k)).toBeNull();
      });
    });

    describe('expiring sets', () => {
      const inMs = (ms: number) => Date.now() + ms;

      it('lists added members with their expiry, and nothing for a set never written', async () => {
        const k = key('set');
        const expiry = inMs(60_000);
        await store.addToSet(k, 'a', expiry);
        await store.addToSet(k, 'b', expiry + 1);
        expect(await store.setMembers(k)).toEqual(
          new Map([
            ['a', expiry],
            ['b', expiry + 1],
          ]),
        );
        expect(await store.setMembers(key('never'))).toEqual(new Map());
      });

      it('keeps the later expiry when a member is added again', async () => {
        const k = key('set');
        await store.addToSet(k, 'a', inMs(60_000));
        const later = inMs(120_000);
        await store.addToSet(k, 'a', later);
        await store.addToSet(k, 'a', inMs(30_000));
        expect((await store.setMembers(k)).get('a')).toBe(later);
      });

      it('forgets a member once its time has passed, and the set with its last member', async () => {
        const k = key('set');
        await store.addToSet(k, 'short', inMs(50));
        await store.addToSet(k, 'long', inMs(60_000));
        await waitFor(
          'the short member to expire',
          async () => !(await store.setMembers(k)).has('short'),
        );
        expect([...(await store.setMembers(k)).keys()]).toEqual(['long']);

        const gone = key('gone');
        await store.addToSet(gone, 'only', inMs(50));
        await waitFor('the set to expire', async () => (await store.setMembers(gone)).size === 0);
        expect(await store.delete(gone)).toBe(0);
      });

      it('counts the members that have not expired', async () => {
        const k = key('set');
        expect(await store.countSet(k)).toBe(0);
        await store.addToSet(k, 'short', inMs(50));
        await store.addToSet(k, 'a', inMs(60_000));
        await store.addToSet(k, 'b', inMs(60_000));
        expect(await store.countSet(k)).toBe(3);
        await waitFor('the short member to expire', async () => (await store.countSet(k)) === 2);
        await store.removeFromSet(k, 'a');
        expect(await store.countSet(k)).toBe(1);
      });

      it('removes members, counting only those that were there', async () => {
        const k = key('set');
        await store.addToSet(k, 'a', inMs(60_000));
        await store.addToSet(k, 'b', inMs(60_000));
        expect(await store.removeFromSet(k, 'a', 'a', 'zzz')).toBe(1);
        expect(await store.removeFromSet(k)).toBe(0);
        expect([...(await store.setMembers(k)).keys()]).toEqual(['b']);
      });

      it('is deleted by delete, like any key', async () => {
        const k = key('set');
        await store.addToSet(k, 'a', inMs(60_000));
        expect(await store.delete(k)).toBe(1);
        expect(await store.setMembers(k)).toEqual(new Map());
      });

      it('keeps all of 20 concurrent additions', async () => {
        const k = key('set');
        await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.addToSet(k, `m${i}`, inMs(60_000))),
        );
        expect((await store.setMembers(k)).size).toBe(20);
      });

      it('rejects an expiry that is not a whole epoch millisecond', async () => {
        await expect(store.addToSet(key('set'), 'a', 1.5)).rejects.toBeInstanceOf(RangeError);
        await expect(store.addToSet(key('set'), 'a', -1)).rejects.toBeInstanceOf(RangeError);
      });
    });

    describe('publish and subscribe', () => {
      // Absence of a message is proven without sleeping: a publisher's messages reach a
      // subscriber in publish order, so once a later "marker" message has arrived, an
      // earlier message that was going to arrive would have.

      it('delivers a message published after subscribe resolves', async () => {
        const ch = channel('c');
        const received: string[] = [];
        await subscribe(ch, received);
        await store.publish(ch, 'hello');
        await waitFor('the message', () => received.length > 0);
        expect(received).toEqual(['hello']);
      });

      it('delivers messages in the order they were published', async () => {
        const ch = channel('c');
        const received: string[] = [];
        await subscribe(ch, received);
        for (const message of ['1', '2', '3', '4', '5']) await store.publish(ch, message);
        await waitFor('all messages', () => received.length >= 5);
        expect(received).toEqual(['1', '2', '3', '4', '5']);
      });

      it('delivers to every subscriber of the channel', async () => {
        const ch = channel('c');
        const first: string[] = [];
        const second: string[] = [];
        await subscribe(ch, first);
        await subscribe(ch, second);
        await store.publish(ch, 'both');
        await waitFor('both subscribers', () => first.length > 0 && second.length > 0);
        expect(first).toEqual(['both']);
        expect(second).toEqual(['both']);
      });

      it('stops delivering to a subscriber once it unsubscribes', async () => {
        const ch = channel('c');
        const leaving: string[] = [];
        const staying: string[] = [];
        const unsubscribe = await subscribe(ch, leaving);
        await subscribe(ch, staying);
        await unsubscribe();
        await unsubscribe(); // a second call is harmless
        await store.publish(ch, 'after');
        await waitFor('the remaining subscriber', () => staying.length > 0);
        expect(leaving).toEqual([]);
      });

      it('stops delivering once the last subscriber of a channel leaves', async () => {
        const quiet = channel('quiet');
        const marker = channel('marker');
        const gone: string[] = [];
        const markers: string[] = [];
        const unsubscribe = await subscribe(quiet, gone);
        await unsubscribe();
        await subscribe(marker, markers);
        await store.publish(quiet, 'nobody listens');
        await store.publish(marker, 'done');
        await waitFor('the marker', () => markers.length > 0);
        expect(gone).toEqual([]);
      });

      it('keeps channels apart', async () => {
        const [a, b] = [channel('a'), channel('b')];
        const onA: string[] = [];
        const onB: string[] = [];
        await subscribe(a, onA);
        await subscribe(b, onB);
        await store.publish(b, 'for b');
        await store.publish(a, 'for a');
        await waitFor('both messages', () => onA.length > 0 && onB.length > 0);
        expect(onA).toEqual(['for a']);
        expect(onB).toEqual(['for b']);
      });

      it('keeps delivering to others when one subscriber throws', async () => {
        const ch = channel('c');
        const received: string[] = [];
        subscriptions.push(
          await store.subscribe(ch, () => {
            throw new Error('subscriber bug');
          }),
        );
        await subscribe(ch, received);
        await store.publish(ch, 'one');
        await store.publish(ch, 'two');
        await waitFor('both messages', () => received.length >= 2);
        expect(received).toEqual(['one', 'two']);
      });

      it('resolves publish when nobody is subscribed', async () => {
        await expect(store.publish(channel('empty'), 'void')).resolves.toBeUndefined();
      });
    });

    describe('ping and close', () => {
      it('answers ping', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });

      it('closes idempotently and rejects every call afterwards', async () => {
        const closing = await makeStore();
        await closing.close();
        await closing.close();
        await expect(closing.get(key('k'))).rejects.toThrow('store closed');
        await expect(closing.set(key('k'), 'v')).rejects.toThrow('store closed');
        await expect(closing.subscribe(channel('c'), () => {})).rejects.toThrow('store closed');
        await expect(closing.ping()).rejects.toThrow('store closed');
      });
    });

    describe('durable()', () => {
      it('is the same data, on a connection of its own, closed with the store', async () => {
        const durable = store.durable();
        expect(store.durable()).toBe(durable);
        await durable.set(key('durable'), 'written there');
        expect(await store.get(key('durable'))).toBe('written there');
        await store.set(key('durable'), 'written here');
        expect(await durable.get(key('durable'))).toBe('written here');
        expect(await durable.waitForReplicas(key('durable'), 0, 50)).toBeGreaterThanOrEqual(0);
      });
    });

    describe('waitForReplicas', () => {
      it('resolves to how many replicas acknowledged, never more than there are', async () => {
        await store.set(key('replicated'), 'v');
        const acknowledged = await store.waitForReplicas(key('replicated'), 0, 50);
        expect(Number.isInteger(acknowledged)).toBe(true);
        expect(acknowledged).toBeGreaterThanOrEqual(0);
      });
    });
  });
}
