import { describe, expect, it } from 'vitest';
import { boundedLatencies } from './bounded-latencies.js';

/** A clock that moves only when told, so a test decides how long each operation takes. */
function fakeClock() {
  let now = 0;
  return { clock: () => now, advance: (ms: number) => (now += ms) };
}

describe('boundedLatencies (the directory case look-up timer)', () => {
  it('stops after maxCount operations when time allows, timing each one', async () => {
    const { clock, advance } = fakeClock();
    let calls = 0;
    const result = await boundedLatencies(
      () => {
        calls += 1;
        advance(calls); // 1 ms, 2 ms, 3 ms
        return Promise.resolve();
      },
      { maxCount: 3, maxMs: 1_000 },
      clock,
    );
    expect(calls).toBe(3);
    expect(result).toEqual({ samplesMs: [1, 2, 3], stoppedBy: 'count', elapsedMs: 6 });
  });

  it('stops when maxMs has passed, however many operations were allowed', async () => {
    const { clock, advance } = fakeClock();
    const result = await boundedLatencies(
      () => Promise.resolve(advance(40)),
      { maxCount: 1e9, maxMs: 100 },
      clock,
    );
    // 40, 80, 120: the third ends past the deadline and is the last.
    expect(result.samplesMs).toEqual([40, 40, 40]);
    expect(result.stoppedBy).toBe('time');
  });

  it('refuses an unbounded run', async () => {
    await expect(boundedLatencies(async () => {}, { maxCount: 0, maxMs: 10 })).rejects.toThrow(
      TypeError,
    );
    await expect(
      boundedLatencies(async () => {}, { maxCount: 10, maxMs: Number.NaN }),
    ).rejects.toThrow(TypeError);
  });
});
