import { describe, expect, it } from 'vitest';
import { createSlots, SlotsBusyError } from './hashing-slots.js';

describe('createSlots', () => {
  it('runs at most `slots` tasks at once, in order, and passes failures through', async () => {
    const limit = createSlots(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const task = (i: number) => () =>
      new Promise<number>((resolve, reject) => {
        running += 1;
        peak = Math.max(peak, running);
        order.push(i);
        setTimeout(() => {
          running -= 1;
          if (i === 3) reject(new Error('boom'));
          else resolve(i);
        }, 5);
      });
    const results = await Promise.allSettled([0, 1, 2, 3, 4, 5].map((i) => limit.run(task(i))));
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    // A failed task frees its slot: the limiter still works afterwards.
    await expect(limit.run(() => Promise.resolve('after'))).resolves.toBe('after');
  });

  it('refuses at once, with ERR_HASHING_BUSY, what would wait beyond maxWaiting', async () => {
    const limit = createSlots(1, { maxWaiting: 2 });
    // The test holds the only slot, so nothing drains while the burst arrives.
    let release = () => {};
    const held = limit.run(() => new Promise<void>((resolve) => (release = resolve)));
    const burst = Array.from({ length: 10 }, (_, i) => limit.runOrRefuse(() => Promise.resolve(i)));
    const outcomes = await Promise.allSettled(burst.slice(2));
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      if (outcome.status === 'rejected') {
        expect(outcome.reason).toBeInstanceOf(SlotsBusyError);
        expect((outcome.reason as SlotsBusyError).code).toBe('ERR_HASHING_BUSY');
      }
    }
    expect(limit.stats()).toEqual({ running: 1, waiting: 2, started: 1 });
    release();
    await held;
    // The two that were let in to wait run once the slot frees, in order.
    expect(await Promise.all(burst.slice(0, 2))).toEqual([0, 1]);
    expect(limit.stats()).toEqual({ running: 0, waiting: 0, started: 3 });
    // The line has room again.
    await expect(limit.runOrRefuse(() => Promise.resolve('after'))).resolves.toBe('after');
  });

  it('lets operators wait (run) however long the line is', async () => {
    const limit = createSlots(1, { maxWaiting: 0 });
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => limit.run(() => Promise.resolve(i))),
    );
    expect(results).toEqual([0, 1, 2, 3, 4]);
  });

  it('refuses slots below 1 and a negative waiting line as caller mistakes', () => {
    expect(() => createSlots(0)).toThrow(TypeError);
    expect(() => createSlots(1, { maxWaiting: -1 })).toThrow(TypeError);
  });
});
