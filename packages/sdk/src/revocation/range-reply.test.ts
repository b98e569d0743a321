import { describe, expect, it } from 'vitest';
import { parseRevocationRange } from './range-reply.js';

const EXP = 1_700_000_060_000;

describe('parseRevocationRange', () => {
  it('reads a flat RESP2-style reply with string scores', () => {
    expect(
      parseRevocationRange(['sid:abc', String(EXP), 'sub:1700000000:u:1', String(EXP)]),
    ).toEqual([
      { kind: 'session', sid: 'abc', expiresAt: EXP },
      { kind: 'subject', sub: 'u:1', notBefore: 1_700_000_000, expiresAt: EXP },
    ]);
  });

  it('reads RESP3 [member, score] pairs with numeric scores', () => {
    expect(parseRevocationRange([['sid:abc', EXP]])).toEqual([
      { kind: 'session', sid: 'abc', expiresAt: EXP },
    ]);
  });

  it('skips members and scores it does not understand', () => {
    expect(
      parseRevocationRange(['jti:zzz', String(EXP), 'sid:ok', '1.5', 'sid:abc', String(EXP)]),
    ).toEqual([{ kind: 'session', sid: 'abc', expiresAt: EXP }]);
  });

  it('returns nothing for an empty set and refuses a reply that is not a list', () => {
    expect(parseRevocationRange([])).toEqual([]);
    expect(() => parseRevocationRange('OK')).toThrow(TypeError);
  });
});
