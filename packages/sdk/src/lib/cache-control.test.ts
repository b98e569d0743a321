import { describe, expect, it } from 'vitest';
import { cacheLifetimeMs } from './cache-control.js';

const bounds = { minMs: 30_000, maxMs: 86_400_000, defaultMs: 300_000 };
const lifetime = (headers: Record<string, string>): number =>
  cacheLifetimeMs(new Headers(headers), bounds);

describe('cacheLifetimeMs', () => {
  it.each([
    ['no header', {}, 300_000],
    ['max-age', { 'cache-control': 'public, max-age=600' }, 600_000],
    ['max-age minus Age', { 'cache-control': 'max-age=600', age: '100' }, 500_000],
    ['max-age below the floor', { 'cache-control': 'max-age=5' }, 30_000],
    ['max-age above the ceiling', { 'cache-control': 'max-age=999999999' }, 86_400_000],
    ['no-store', { 'cache-control': 'no-store, max-age=600' }, 30_000],
    ['no-cache in capitals', { 'cache-control': 'No-Cache' }, 30_000],
    ['an unparsable max-age', { 'cache-control': 'max-age=abc' }, 300_000],
    ['a negative max-age', { 'cache-control': 'max-age=-5' }, 300_000],
  ])('%s', (_name, headers, expected) => {
    expect(lifetime(headers)).toBe(expected);
  });
});
