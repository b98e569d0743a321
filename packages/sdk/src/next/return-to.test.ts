import { describe, expect, it } from 'vitest';
import { safeReturnTo } from './return-to.js';

describe('safeReturnTo (no open redirect after login)', () => {
  it.each([
    ['/', '/'],
    ['/orders?page=2', '/orders?page=2'],
    ['/a/../b', '/b'],
  ])('keeps the local path %s', (input, expected) => {
    expect(safeReturnTo(input)).toBe(expected);
  });

  it.each([
    ['an absolute URL', 'https://evil.example/'],
    ['a scheme-relative URL', '//evil.example/'],
    ['a backslash trick', '/\\evil.example'],
    ['a tab trick', '/\t/evil.example'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a relative path', 'orders'],
    ['nothing', null],
    ['an oversized path', `/${'a'.repeat(3000)}`],
  ])('sends %s to /', (_name, input) => {
    expect(safeReturnTo(input)).toBe('/');
  });
});
