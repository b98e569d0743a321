import { describe, expect, it } from 'vitest';
import { safeReturnPath } from './return-path.js';

describe('safeReturnPath: a login of the IdP pages comes back only to them (no open redirect)', () => {
  it.each([
    ['/account', '/account'],
    ['/account/password', '/account/password'],
    ['/account?lang=zh-CN', '/account?lang=zh-CN'],
    ['/account/./password', '/account/password'],
  ])('keeps %s', (candidate, kept) => {
    expect(safeReturnPath(candidate)).toBe(kept);
  });

  it.each([
    'https://evil.example/account',
    '//evil.example/account',
    '///evil.example/account',
    '/\\evil.example/account',
    '\\\\evil.example',
    '/\t/evil.example',
    '/account\n/x',
    ' /account',
    'account',
    '',
    '/login',
    '/accountancy',
    '/account/../login',
    '/account/%2e%2e/login',
    '/account#fragment',
    'javascript:alert(1)',
    `/account/${'x'.repeat(600)}`,
  ])('refuses %j', (candidate) => {
    expect(safeReturnPath(candidate)).toBeNull();
  });

  it('refuses what is not a string', () => {
    for (const value of [undefined, null, 42, ['/account'], { toString: () => '/account' }]) {
      expect(safeReturnPath(value)).toBeNull();
    }
  });
});
