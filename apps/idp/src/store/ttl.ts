/**
 * Both adapters validate durations the same way so a bad value fails identically in dev
 * (memory) and production (Redis) instead of Redis answering "invalid expire time" while
 * memory silently stores a key that is already expired.
 */
export function checkDurationMs(value: number, name: string): number {
  // Redis takes whole milliseconds; rounding up keeps a 0.5 ms TTL from becoming 0.
  const whole = Math.ceil(value);
  if (!Number.isFinite(value) || whole <= 0 || !Number.isSafeInteger(whole)) {
    throw new RangeError(`${name} must be a positive number of milliseconds`);
  }
  return whole;
}

/** An expiry as an absolute time: whole epoch milliseconds, as Redis scores and PEXPIREAT take. */
export function checkEpochMs(value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError('expiresAt must be a positive whole number of epoch milliseconds');
  }
  return value;
}
