/**
 * Counts of events per minute over the `minutes` minutes up to `now`, oldest first: the series
 * the overview's chart draws. Events outside the window are left out.
 */
export function perMinute(times: readonly Date[], now: number, minutes = 60): number[] {
  const buckets = new Array<number>(minutes).fill(0);
  const start = now - minutes * 60_000;
  for (const time of times) {
    const at = time.getTime();
    if (at <= start || at > now) continue;
    const index = Math.min(minutes - 1, Math.floor((at - start) / 60_000));
    buckets[index]! += 1;
  }
  return buckets;
}
