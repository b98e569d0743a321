import { describe, expect, it } from 'vitest';
import { perMinute } from './per-minute';

const NOW = Date.UTC(2026, 0, 31, 12, 0, 0);
const ago = (ms: number) => new Date(NOW - ms);

describe('perMinute', () => {
  it('puts each event in its minute, oldest minute first', () => {
    const series = perMinute(
      [ago(10_000), ago(20_000), ago(61_000), ago(59 * 60_000 + 30_000)],
      NOW,
    );
    expect(series).toHaveLength(60);
    expect(series[59]).toBe(2);
    expect(series[58]).toBe(1);
    expect(series[0]).toBe(1);
    expect(series.reduce((a, b) => a + b, 0)).toBe(4);
  });

  it('leaves out events older than the window or in the future', () => {
    expect(perMinute([ago(60 * 60_000 + 1), new Date(NOW + 1)], NOW).every((n) => n === 0)).toBe(
      true,
    );
  });
});
