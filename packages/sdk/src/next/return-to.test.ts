import { describe, expect, it } from 'vitest';
import { returnUrl, safeReturnTo } from './return-to.js';

const APP = 'https://shop.example';

/** Where a browser goes with the result as the Location of a redirect from the app. */
const landsOn = (path: string) => new URL(path, `${APP}/auth/callback`);

describe('safeReturnTo (no open redirect after login)', () => {
  it.each([
    ['/', '/'],
    ['/orders?page=2', '/orders?page=2'],
    ['/orders?page=2#top', '/orders?page=2#top'],
    ['/a/../b', '/b'],
    ['/a/./b', '/a/b'],
    // Encoded slashes stay encoded in a path: a browser never reads them as a host.
    ['/%2F%2Fevil.example', '/%2F%2Fevil.example'],
    ['/%5Cevil.example', '/%5Cevil.example'],
    ['/javascript:alert(1)', '/javascript:alert(1)'],
  ])('keeps the local path %s', (input, expected) => {
    expect(safeReturnTo(input)).toBe(expected);
    expect(landsOn(safeReturnTo(input)).origin).toBe(APP);
  });

  it.each([
    // Issue 10: dot segments the parser removes AFTER the input was checked.
    ['a dot segment before //', '/.//evil.example/x'],
    ['a parent segment before //', '/a/..//evil.example'],
    ['an encoded dot segment before //', '/%2e//evil.example'],
    ['an encoded parent segment before //', '/%2E%2E//evil.example'],
    ['parents beyond the root', '/x/../../..//evil.example/'],
    ['a scheme-relative URL', '//evil.example/'],
    ['three slashes', '///evil.example/'],
    ['a backslash trick', '/\\evil.example'],
    ['a slash-backslash trick', '/\\/evil.example'],
    ['two backslashes', '\\\\evil.example'],
    ['a backslash-slash trick', '\\/evil.example'],
    ['a backslash after a dot segment', '/./\\evil.example'],
    ['a tab trick', '/\t/evil.example'],
    ['a newline trick', '/\n/evil.example'],
    ['a CRLF trick', '/\r\n/evil.example'],
    ['a leading tab', '\t//evil.example'],
    ['a NUL byte', '/\0/evil.example'],
    ['an absolute URL', 'https://evil.example/'],
    ['an absolute URL without slashes', 'https:evil.example'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a javascript: URL in capitals', 'JaVaScRiPt:alert(1)'],
    ['a data: URL', 'data:text/html,<script>alert(1)</script>'],
    ['a relative path', 'orders'],
    ['the empty string', ''],
    ['nothing', null],
    ['undefined', undefined],
    ['an oversized path', `/${'a'.repeat(3000)}`],
    ['a path oversized once percent-encoded', `/${'é'.repeat(1500)}`],
  ])('sends %s to /', (_name, input) => {
    expect(safeReturnTo(input)).toBe('/');
  });

  it('keeps a path of exactly the longest length', () => {
    const longest = `/${'a'.repeat(2047)}`;
    expect(safeReturnTo(longest)).toBe(longest);
  });
});

describe('returnUrl (the redirect after the callback)', () => {
  it('puts a local path on the app origin', () => {
    expect(returnUrl('/orders?page=2', APP)).toBe(`${APP}/orders?page=2`);
  });

  it.each([
    ['//evil.example/x'],
    ['/\\evil.example'],
    ['https://evil.example/'],
    ['javascript:alert(1)'],
    ['orders'],
  ])('sends %s to the app home, whatever stored it', (stored) => {
    expect(returnUrl(stored, APP)).toBe(`${APP}/`);
  });
});
