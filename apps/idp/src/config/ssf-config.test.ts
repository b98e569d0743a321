import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('Shared Signals configuration', () => {
  it('defaults: polls held up to 30 s, undelivered events kept 7 days', () => {
    expect(loadConfig({}).ssf).toEqual({ pollWaitMaxMs: 30_000, eventRetentionMs: 7 * 86_400_000 });
  });

  it('reads SSF_POLL_WAIT_MAX and SSF_EVENT_RETENTION', () => {
    const { ssf } = loadConfig({ SSF_POLL_WAIT_MAX: '5s', SSF_EVENT_RETENTION: '2d' });
    expect(ssf).toEqual({ pollWaitMaxMs: 5_000, eventRetentionMs: 2 * 86_400_000 });
  });

  it('names a bad or out-of-range value', () => {
    const problems = problemsOf({ SSF_POLL_WAIT_MAX: '1h', SSF_EVENT_RETENTION: 'soon' });
    expect(problems.map((line) => line.split(':')[0])).toEqual([
      'SSF_POLL_WAIT_MAX',
      'SSF_EVENT_RETENTION',
    ]);
  });
});
