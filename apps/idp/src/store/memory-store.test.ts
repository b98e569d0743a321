import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryStore } from './memory-store.js';
import { describeStoreContract } from './store.contract.js';

describeStoreContract('memory', () => createMemoryStore());

describe('memory store', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A clock the test moves by hand. */
  function manualClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
    let at = start;
    return { now: () => at, advance: (ms) => (at += ms) };
  }

  it('expires keys on the injected clock, without waiting', async () => {
    const clock = manualClock();
    const store = createMemoryStore({ now: clock.now });
    await store.set('k', 'v', { ttlMs: 60_000 });
    clock.advance(59_999);
    expect(await store.get('k')).toBe('v');
    clock.advance(1);
    expect(await store.get('k')).toBeNull();
    await store.close();
  });

  it('reports the time left in a counter window on the injected clock', async () => {
    const clock = manualClock();
    const store = createMemoryStore({ now: clock.now });
    expect(await store.increment('c', 60_000)).toEqual({ count: 1, ttlMs: 60_000 });
    clock.advance(45_000);
    expect(await store.increment('c', 60_000)).toEqual({ count: 2, ttlMs: 15_000 });
    clock.advance(15_000);
    expect(await store.increment('c', 60_000)).toEqual({ count: 1, ttlMs: 60_000 });
    await store.close();
  });

  it('refuses to increment a key that does not hold an integer, as Redis does', async () => {
    const store = createMemoryStore();
    await store.set('k', 'not a number');
    await expect(store.increment('k', 1_000)).rejects.toThrow('not a counter');
    await store.close();
  });

  it('sweeps expired keys nobody reads again', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const clock = manualClock();
    const store = createMemoryStore({ now: clock.now, sweepIntervalMs: 1_000 });
    await store.set('short', 'v', { ttlMs: 500 });
    await store.set('long', 'v', { ttlMs: 5_000 });
    await store.set('forever', 'v');
    clock.advance(600);
    // Expired but not yet swept: still held, which is what the sweep exists to fix.
    expect(store.heldEntries()).toBe(3);
    vi.advanceTimersByTime(1_000);
    expect(store.heldEntries()).toBe(2);
    expect(await store.get('long')).toBe('v');
    expect(await store.get('forever')).toBe('v');
    await store.close();
  });

  it('stops sweeping once closed', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const store = createMemoryStore({ sweepIntervalMs: 1_000 });
    expect(vi.getTimerCount()).toBe(1);
    await store.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects every call with "store closed" after close', async () => {
    const store = createMemoryStore();
    await store.set('k', 'v');
    await store.close();
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['get', () => store.get('k')],
      ['set', () => store.set('k', 'v')],
      ['compareAndSet', () => store.compareAndSet('k', null, 'v')],
      ['take', () => store.take('k')],
      ['delete', () => store.delete('k')],
      ['increment', () => store.increment('k', 1_000)],
      ['publish', () => store.publish('c', 'm')],
      ['subscribe', () => store.subscribe('c', () => {})],
      ['ping', () => store.ping()],
    ];
    for (const [name, call] of calls) {
      await expect(call(), name).rejects.toThrow('store closed');
    }
  });

  it('does not deliver a message published just before close', async () => {
    const store = createMemoryStore();
    const received: string[] = [];
    await store.subscribe('c', (message) => received.push(message));
    await store.publish('c', 'late');
    await store.close();
    await new Promise((resolve) => setImmediate(resolve));
    expect(received).toEqual([]);
  });

  it('logs, rather than throws, what a subscriber throws', async () => {
    const logged: string[] = [];
    const store = createMemoryStore({ logger: (event) => logged.push(event) });
    await store.subscribe('c', () => {
      throw new Error('bug');
    });
    await store.publish('c', 'm');
    await new Promise((resolve) => setImmediate(resolve));
    expect(logged).toEqual(['store.subscriber_threw']);
    await store.close();
  });

  it('keeps the stores of two instances apart', async () => {
    const a = createMemoryStore();
    const b = createMemoryStore();
    await a.set('k', 'a');
    expect(await b.get('k')).toBeNull();
    await Promise.all([a.close(), b.close()]);
  });
});
