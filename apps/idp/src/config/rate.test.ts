import { describe, expect, it } from 'vitest';
import { parseRate } from './rate.js';

describe('parseRate', () => {
  it.each([
    ['600/1m', { limit: 600, windowMs: 60_000 }],
    ['5/2s', { limit: 5, windowMs: 2_000 }],
    [' 10/1h ', { limit: 10, windowMs: 3_600_000 }],
    ['1/1d', { limit: 1, windowMs: 86_400_000 }],
  ])('reads %j', (text, rate) => expect(parseRate(text)).toEqual(rate));

  it.each(['off', 'OFF', '0'])('reads %j as no limit', (text) =>
    expect(parseRate(text)).toBeNull(),
  );

  it.each(['', '600', '600/', '/1m', '0/1m', '-5/1m', '5/1', '5/500ms', '5/2d', '1.5/1m', 'on'])(
    'refuses %j',
    (text) => expect(parseRate(text)).toBeUndefined(),
  );
});
