export interface BackoffPolicy {
  /** The delay before the second attempt, before jitter. */
  readonly initialDelayMs: number;
  /** No delay grows past this, before jitter. */
  readonly maxDelayMs: number;
  /** How long after enqueueing a message is still tried; then it is marked failed. */
  readonly retryWindowMs: number;
}

/** Seconds, then minutes, then hourly: a receiver down for a day is still reached. */
export const DEFAULT_BACKOFF: BackoffPolicy = {
  initialDelayMs: 2_000,
  maxDelayMs: 3_600_000,
  retryWindowMs: 24 * 3_600_000,
};

/**
 * When to try again after the `attempts`-th failed attempt, or null to give up: the window
 * (`deadline`) is over. Exponential, with "equal jitter" (half fixed, half random), so the
 * receivers of one mass logout are not hit again all in the same instant, yet no retry comes
 * much sooner than planned. The last try falls at the deadline itself.
 */
export function nextAttemptAt(
  policy: BackoffPolicy,
  attempts: number,
  now: number,
  deadline: number,
  random: () => number,
): number | null {
  if (now >= deadline) return null;
  const exponent = Math.min(Math.max(attempts - 1, 0), 40);
  const delay = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** exponent);
  const jittered = delay / 2 + (random() * delay) / 2;
  return Math.min(now + Math.ceil(jittered), deadline);
}
