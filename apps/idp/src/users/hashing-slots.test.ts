import { describe, expect, it } from 'vitest';
import { createSlots } from './hashing-slots.js';

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
    const results = await Promise.allSettled([0, 1, 2, 3, 4, 5].map((i) => limit(task(i))));
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
    await expect(limit(() => Promise.resolve('after'))).resolves.toBe('after');
  });
});
