import { describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '../logger.js';
import { createMemoryStore } from '../store/memory-store.js';
import { StoreUnavailableError, type Store } from '../store/store.js';
import { createRateLimiter, verdict } from './rate-limit.js';

describe('verdict', () => {
  const rate = { limit: 3, windowMs: 10_000 };
  it('allows up to the limit, then refuses until the window ends', () => {
    expect(verdict(3, 9_000, rate)).toEqual({ allowed: true });
    expect(verdict(4, 9_000, rate)).toEqual({ allowed: false, retryAfterSec: 9 });
    expect(verdict(4, 8_001, rate)).toEqual({ allowed: false, retryAfterSec: 9 });
    // Never "retry in 0 seconds".
    expect(verdict(99, 0, rate)).toEqual({ allowed: false, retryAfterSec: 1 });
  });
});

/** A logger that keeps its events, to see the fallback announced once. */
function recordingLogger(): Logger & { events: string[] } {
  const events: string[] = [];
  const keep = (event: string) => void events.push(event);
  return { events, debug: keep, info: keep, warn: keep, error: keep, isEnabled: () => true };
}

describe('createRateLimiter', () => {
  const rate = { limit: 2, windowMs: 60_000 };

  it('counts in the store, per scope and subject, shared by limiters on the same store', async () => {
    const store = createMemoryStore();
    const one = createRateLimiter(store, { logger: silentLogger });
    const two = createRateLimiter(store, { logger: silentLogger });
    expect(await one.consume('token-client', 'shop', rate)).toEqual({ allowed: true });
    expect(await two.consume('token-client', 'shop', rate)).toEqual({ allowed: true });
    expect(await one.consume('token-client', 'shop', rate)).toMatchObject({ allowed: false });
    expect(await two.consume('token-client', 'wiki', rate)).toEqual({ allowed: true });
    expect(await two.consume('token-address', 'shop', rate)).toEqual({ allowed: true });
    await store.close();
  });

  it('starts a new window when the old one ends', async () => {
    let clock = 1_000_000;
    const now = () => clock;
    const store = createMemoryStore({ now });
    const limiter = createRateLimiter(store, { logger: silentLogger, now });
    for (let i = 0; i < 2; i += 1) await limiter.consume('s', 'x', rate);
    expect(await limiter.consume('s', 'x', rate)).toEqual({ allowed: false, retryAfterSec: 60 });
    clock += 30_000;
    expect(await limiter.consume('s', 'x', rate)).toEqual({ allowed: false, retryAfterSec: 30 });
    clock += 30_000;
    expect(await limiter.consume('s', 'x', rate)).toEqual({ allowed: true });
    await store.close();
  });

  it('counts per process when the store fails, and never throws', async () => {
    const logger = recordingLogger();
    const down = failingStore(() => Promise.reject(new StoreUnavailableError('down')));
    const limiter = createRateLimiter(down, { logger });
    const verdicts = [];
    for (let i = 0; i < 4; i += 1) verdicts.push(await limiter.consume('s', 'x', rate));
    expect(verdicts.map((v) => v.allowed)).toEqual([true, true, false, false]);
    // Unexpected failures too: a limiter must not turn into a 500.
    const broken = createRateLimiter(
      failingStore(() => Promise.reject(new Error('boom'))),
      { logger: silentLogger },
    );
    expect(await broken.consume('s', 'x', rate)).toEqual({ allowed: true });
    expect(logger.events.filter((e) => e === 'rate_limit.local_fallback')).toHaveLength(1);
  });

  it('decides locally once the store misses its budget, then leaves it alone for a while', async () => {
    let clock = 0;
    let calls = 0;
    const hanging = failingStore(() => {
      calls += 1;
      return new Promise(() => undefined);
    });
    const limiter = createRateLimiter(hanging, {
      logger: silentLogger,
      now: () => clock,
      storeBudgetMs: 20,
      localOnlyMs: 2_000,
    });
    const started = performance.now();
    expect(await limiter.consume('s', 'x', rate)).toEqual({ allowed: true });
    expect(performance.now() - started).toBeLessThan(1_000);
    // Within the local-only period the store is not asked again: no added latency.
    expect(await limiter.consume('s', 'x', rate)).toEqual({ allowed: true });
    expect(await limiter.consume('s', 'x', rate)).toMatchObject({ allowed: false });
    expect(calls).toBe(1);
    clock += 2_000;
    await limiter.consume('s', 'y', rate);
    expect(calls).toBe(2);
  });

  it('goes back to the shared count when the store answers again', async () => {
    let healthy = false;
    const memory = createMemoryStore();
    const flaky = failingStore((key, windowMs) =>
      healthy ? memory.increment(key, windowMs) : Promise.reject(new StoreUnavailableError('down')),
    );
    const logger = recordingLogger();
    const limiter = createRateLimiter(flaky, { logger });
    await limiter.consume('s', 'x', rate);
    healthy = true;
    await limiter.consume('s', 'x', rate);
    await limiter.consume('s', 'x', rate);
    // The shared counter saw only the two counted while it answered.
    expect(await memory.get('latchkey:count:rate-s:x')).toBe('2');
    expect(logger.events).toEqual(['rate_limit.local_fallback', 'rate_limit.shared_again']);
    await memory.close();
  });

  it('keeps a bounded number of local counters', async () => {
    const down = failingStore(() => Promise.reject(new StoreUnavailableError('down')));
    const limiter = createRateLimiter(down, { logger: silentLogger, maxLocalCounters: 10 });
    for (let i = 0; i < 25; i += 1) {
      expect(await limiter.consume('s', `subject-${i}`, rate)).toEqual({ allowed: true });
    }
    // Reset by the bound: the oldest subject counts from zero again rather than memory growing.
    expect(await limiter.consume('s', 'subject-0', rate)).toEqual({ allowed: true });
  });
});

function failingStore(increment: Store['increment']): Store {
  const unused = () => Promise.reject(new Error('not used by the limiter'));
  return {
    get: unused,
    set: unused,
    compareAndSet: unused,
    take: unused,
    delete: unused,
    increment,
    countWithinLimits: unused,
    decrement: unused,
    addToSet: unused,
    setMembers: unused,
    countSet: unused,
    removeFromSet: unused,
    publish: unused,
    subscribe: unused,
    ping: unused,
    close: () => Promise.resolve(),
    waitForReplicas: unused,
    onReconnect: () => () => {},
    durable: () => failingStore(increment),
  };
}
