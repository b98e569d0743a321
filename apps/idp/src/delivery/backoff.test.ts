import { describe, expect, it } from 'vitest';
import { nextAttemptAt } from './backoff.js';

const policy = { initialDelayMs: 1_000, maxDelayMs: 60_000, retryWindowMs: 86_400_000 };
const far = 10 ** 12;

describe('nextAttemptAt', () => {
  it('doubles the delay with each failed attempt', () => {
    const fixed = () => 1; // the top of the jitter range: the full delay
    expect(nextAttemptAt(policy, 1, 0, far, fixed)).toBe(1_000);
    expect(nextAttemptAt(policy, 2, 0, far, fixed)).toBe(2_000);
    expect(nextAttemptAt(policy, 5, 0, far, fixed)).toBe(16_000);
  });

  it('caps the delay', () => {
    expect(nextAttemptAt(policy, 30, 0, far, () => 1)).toBe(60_000);
    expect(nextAttemptAt(policy, 10_000, 0, far, () => 1)).toBe(60_000);
  });

  it('jitters between half and all of the delay', () => {
    expect(nextAttemptAt(policy, 3, 0, far, () => 0)).toBe(2_000);
    expect(nextAttemptAt(policy, 3, 0, far, () => 0.5)).toBe(3_000);
    expect(nextAttemptAt(policy, 3, 0, far, () => 0.999_999)).toBe(4_000);
  });

  it('makes the last try at the deadline', () => {
    expect(nextAttemptAt(policy, 10, 100_000, 110_000, () => 1)).toBe(110_000);
  });

  it('gives up once the window is over', () => {
    expect(nextAttemptAt(policy, 10, 110_000, 110_000, () => 1)).toBeNull();
    expect(nextAttemptAt(policy, 1, 200_000, 110_000, () => 1)).toBeNull();
  });
});
