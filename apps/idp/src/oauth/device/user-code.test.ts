import { describe, expect, it } from 'vitest';
import { formatUserCode, newUserCode, normaliseUserCode, USER_CODE_ALPHABET } from './user-code.js';

describe('RFC 8628 §6.1 user codes', () => {
  it('are 8 characters of the 20 consonants, and use all of them', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const code = newUserCode();
      expect(code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{8}$/);
      for (const letter of code) seen.add(letter);
    }
    expect(USER_CODE_ALPHABET).toHaveLength(20);
    expect(seen.size).toBe(20);
  });

  it('are shown with a dash in the middle', () => {
    expect(formatUserCode('WDJBMJHT')).toBe('WDJB-MJHT');
  });

  it.each(['WDJB-MJHT', 'wdjb-mjht', 'WDJBMJHT', ' wdjb mjht ', 'Wd-Jb-Mj-Ht'])(
    'reads %j as WDJBMJHT (case-insensitive, dash and spaces ignored)',
    (typed) => {
      expect(normaliseUserCode(typed)).toBe('WDJBMJHT');
    },
  );

  it.each([undefined, '', 'WDJB-MJH', 'WDJB-MJHTX', 'WDJA-MJHT', 'WDJB-MJH1', 'x'.repeat(33)])(
    'refuses %j',
    (typed) => {
      expect(normaliseUserCode(typed)).toBeNull();
    },
  );
});
