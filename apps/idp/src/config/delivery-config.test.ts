import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('DELIVERY_* (the outbox of back-channel logout tokens and other pushes)', () => {
  it('defaults: retried for 24 h, first retry after 2 s, 10 s per attempt, any address', () => {
    expect(loadConfig({}).delivery).toEqual({
      retryWindowMs: 24 * 3_600_000,
      initialDelayMs: 2_000,
      timeoutMs: 10_000,
      loopbackOnly: false,
    });
  });

  it('reads each variable', () => {
    expect(
      loadConfig({
        DELIVERY_RETRY_WINDOW: '3d',
        DELIVERY_RETRY_INITIAL_DELAY: '500ms',
        DELIVERY_TIMEOUT: '5s',
        DELIVERY_LOOPBACK_ONLY: 'true',
      }).delivery,
    ).toEqual({
      retryWindowMs: 3 * 86_400_000,
      initialDelayMs: 500,
      timeoutMs: 5_000,
      loopbackOnly: true,
    });
  });

  it('refuses a bad or out-of-range value, one line per variable', () => {
    expect(
      problemsOf({
        DELIVERY_RETRY_WINDOW: 'forever',
        DELIVERY_RETRY_INITIAL_DELAY: '2h',
        DELIVERY_TIMEOUT: '10ms',
        DELIVERY_LOOPBACK_ONLY: 'yes',
      }),
    ).toEqual([
      'DELIVERY_RETRY_WINDOW: "forever" is not a duration such as 90s, 15m, 12h or 7d',
      'DELIVERY_RETRY_INITIAL_DELAY: must be between 100ms and 1h',
      'DELIVERY_TIMEOUT: must be between 100ms and 5m',
      'DELIVERY_LOOPBACK_ONLY: must be true or false',
    ]);
  });
});
