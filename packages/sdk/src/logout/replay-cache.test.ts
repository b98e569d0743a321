import { describe, expect, it } from 'vitest';
import { createMemoryReplayCache } from './replay-cache.js';

describe('in-memory replay cache', () => {
  const clock = { ms: 1_000_000 };
  const now = (): number => clock.ms;

  it('says new once, then seen until the record expires', () => {
    const cache = createMemoryReplayCache({ now });
    expect(cache.remember('a', clock.ms + 1_000)).toBe(true);
    expect(cache.remember('a', clock.ms + 1_000)).toBe(false);
    clock.ms += 999;
    expect(cache.remember('a', clock.ms + 1_000)).toBe(false);
    clock.ms += 1;
    expect(cache.remember('a', clock.ms + 1_000)).toBe(true);
  });

  it('stays within maxEntries: expired records go first, then the oldest', () => {
    const cache = createMemoryReplayCache({ now, maxEntries: 3 });
    expect(cache.remember('short', clock.ms + 10)).toBe(true);
    expect(cache.remember('b', clock.ms + 10_000)).toBe(true);
    expect(cache.remember('c', clock.ms + 10_000)).toBe(true);
    clock.ms += 10;
    // Full: the expired record makes room, the live ones stay.
    expect(cache.remember('d', clock.ms + 10_000)).toBe(true);
    expect(cache.remember('b', clock.ms + 10_000)).toBe(false);
    expect(cache.remember('c', clock.ms + 10_000)).toBe(false);
    // Full of live records: the oldest goes.
    expect(cache.remember('e', clock.ms + 10_000)).toBe(true);
    expect(cache.remember('b', clock.ms + 10_000)).toBe(true);
    expect(cache.remember('e', clock.ms + 10_000)).toBe(false);
  });

  it('holds no more than maxEntries under a flood', () => {
    const cache = createMemoryReplayCache({ now, maxEntries: 100 });
    for (let i = 0; i < 10_000; i += 1) cache.remember(`k${i}`, clock.ms + 60_000);
    // The last 100 are still known; the first long gone.
    expect(cache.remember('k9999', clock.ms + 60_000)).toBe(false);
    expect(cache.remember('k9900', clock.ms + 60_000)).toBe(false);
    expect(cache.remember('k0', clock.ms + 60_000)).toBe(true);
  });

  it.each([[{ maxEntries: 0 }], [{ maxEntries: 1.5 }], [{ now: 5 }]])(
    'refuses options %j (TypeError)',
    (options) => {
      expect(() => createMemoryReplayCache(options as never)).toThrow(TypeError);
    },
  );
});
