import { describe, expect, it } from 'vitest';
import {
  expiredSessionCookie,
  HOST_SESSION_COOKIE,
  readSessionCookie,
  SESSION_COOKIE,
  sessionCookie,
} from './cookies.js';

/** The attributes of one Set-Cookie line, names lower-cased. */
function attributes(line: string): Map<string, string> {
  const [, ...parts] = line.split(';').map((part) => part.trim());
  return new Map(
    parts.map((part) => {
      const at = part.indexOf('=');
      return at === -1
        ? [part.toLowerCase(), '']
        : [part.slice(0, at).toLowerCase(), part.slice(at + 1)];
    }),
  );
}

describe('the session cookie under https: __Host- (RFC 6265bis 4.1.3.2)', () => {
  it('is named __Host-latchkey_session, Secure, Path=/, with no Domain', () => {
    for (const line of [sessionCookie('sealed', true), expiredSessionCookie(true)]) {
      expect(line.startsWith(`${HOST_SESSION_COOKIE}=`)).toBe(true);
      const attrs = attributes(line);
      expect(attrs.has('secure')).toBe(true);
      expect(attrs.get('path')).toBe('/');
      expect(attrs.has('domain')).toBe(false);
      expect(attrs.has('httponly')).toBe(true);
    }
  });

  it('ignores a planted cookie without the prefix', () => {
    expect(readSessionCookie(`${SESSION_COOKIE}=planted`, true)).toBeUndefined();
    expect(readSessionCookie(`${SESSION_COOKIE}=planted; ${HOST_SESSION_COOKIE}=ours`, true)).toBe(
      'ours',
    );
  });
});

describe('the session cookie over plain http (the local demo)', () => {
  it('keeps its name, without Secure (a browser would drop it on http)', () => {
    const line = sessionCookie('sealed', false);
    expect(line.startsWith(`${SESSION_COOKIE}=sealed`)).toBe(true);
    expect(attributes(line).has('secure')).toBe(false);
    expect(attributes(line).get('path')).toBe('/');
    expect(readSessionCookie(`${SESSION_COOKIE}=ours`, false)).toBe('ours');
    expect(readSessionCookie(`${HOST_SESSION_COOKIE}=other`, false)).toBeUndefined();
  });
});

describe('a name sent twice', () => {
  // Browsers send the most specific path first, then the oldest (RFC 6265 5.4); every reader
  // takes that first one (see readSessionCookie), Next's cookie map would take the last.
  it.each([
    [true, HOST_SESSION_COOKIE],
    [false, SESSION_COOKIE],
  ])('https=%s: the first copy is the session', (secure, name) => {
    expect(readSessionCookie(`a=1; ${name}=first; b=2; ${name}=second`, secure)).toBe('first');
  });
});
