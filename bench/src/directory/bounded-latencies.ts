/** What a bounded latency run measured: each operation's time, and why it stopped. */
export interface Latencies {
  samplesMs: number[];
  /** `count`: all `maxCount` ran; `time`: `maxMs` ran out first. */
  stoppedBy: 'count' | 'time';
  elapsedMs: number;
}

/**
 * Runs `operation` one at a time (each awaited, so a figure is one look-up's latency, not a
 * queue's) until `maxCount` have run or `maxMs` has passed, whichever comes first: a slow
 * server makes the run shorter, never longer. `clock` is for tests.
 */
export async function boundedLatencies(
  operation: () => Promise<unknown>,
  { maxCount, maxMs }: { maxCount: number; maxMs: number },
  clock: () => number = () => performance.now(),
): Promise<Latencies> {
  if (!(maxCount >= 1 && maxMs > 0)) throw new TypeError('maxCount >= 1 and maxMs > 0 required');
  const samplesMs: number[] = [];
  const started = clock();
  const deadline = started + maxMs;
  let now = started;
  while (samplesMs.length < maxCount && now < deadline) {
    const before = clock();
    await operation();
    now = clock();
    samplesMs.push(now - before);
  }
  return {
    samplesMs,
    stoppedBy: samplesMs.length >= maxCount ? 'count' : 'time',
    elapsedMs: now - started,
  };
}
