import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

function problems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('RFC 8628 settings', () => {
  it('default to a 10-minute code, a 5-second interval and 10 guesses a minute', () => {
    const config = loadConfig({});
    expect(config.device).toEqual({ codeTtlMs: 600_000, pollIntervalSec: 5 });
    expect(config.rateLimits.deviceCodePerAddress).toEqual({ limit: 10, windowMs: 60_000 });
    expect(config.rateLimits.deviceCodePerSession).toEqual({ limit: 10, windowMs: 60_000 });
  });

  it('read DEVICE_CODE_TTL and DEVICE_POLL_INTERVAL', () => {
    const config = loadConfig({ DEVICE_CODE_TTL: '15m', DEVICE_POLL_INTERVAL: '10s' });
    expect(config.device).toEqual({ codeTtlMs: 900_000, pollIntervalSec: 10 });
  });

  it.each([
    ['DEVICE_CODE_TTL', 'soon'],
    ['DEVICE_CODE_TTL', '2h'],
    ['DEVICE_POLL_INTERVAL', '0s'],
    ['DEVICE_POLL_INTERVAL', '5m'],
    ['RATE_LIMIT_DEVICE_CODE_PER_ADDRESS', 'many'],
  ])('stops start-up on %s=%s, naming the variable', (name, value) => {
    const found = problems({ [name]: value });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(new RegExp(`^${name}: `));
  });
});
