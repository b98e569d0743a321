import { describe, expect, it } from 'vitest';
import { createSingleFlight } from './single-flight.js';

const deferred = <T>() => {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

describe('single flight', () => {
  it('runs the work once for every concurrent caller of one key', async () => {
    const flights = createSingleFlight<string>({ graceMs: 1000, maxEntries: 10 });
    const gate = deferred<string>();
    let runs = 0;
    const work = () => {
      runs += 1;
      return gate.promise;
    };
    const all = Promise.all(Array.from({ length: 50 }, () => flights.run('k', work)));
    gate.resolve('new-tokens');
    expect(await all).toEqual(Array(50).fill('new-tokens'));
    expect(runs).toBe(1);
  });

  it('hands the settled result to late callers within the grace period, then runs again', async () => {
    const clock = { ms: 0 };
    const flights = createSingleFlight<number>({
      graceMs: 1000,
      maxEntries: 10,
      now: () => clock.ms,
    });
    let runs = 0;
    const work = () => Promise.resolve(++runs);
    expect(await flights.run('k', work)).toBe(1);
    clock.ms = 1000;
    expect(await flights.run('k', work)).toBe(1);
    clock.ms = 1001;
    expect(await flights.run('k', work)).toBe(2);
  });

  it('does not keep a failure: the next caller really retries', async () => {
    const flights = createSingleFlight<number>({ graceMs: 60_000, maxEntries: 10 });
    await expect(flights.run('k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    await expect(flights.run('k', () => Promise.resolve(7))).resolves.toBe(7);
  });

  it('keeps different keys apart', async () => {
    const flights = createSingleFlight<string>({ graceMs: 1000, maxEntries: 10 });
    const [a, b] = await Promise.all([
      flights.run('a', () => Promise.resolve('A')),
      flights.run('b', () => Promise.resolve('B')),
    ]);
    expect([a, b]).toEqual(['A', 'B']);
  });

  it('stays bounded: settled entries beyond maxEntries are dropped', async () => {
    const flights = createSingleFlight<number>({ graceMs: 60_000, maxEntries: 5 });
    for (let i = 0; i < 50; i++) await flights.run(`k${i}`, () => Promise.resolve(i));
    expect(flights.size).toBeLessThanOrEqual(6);
  });
});
