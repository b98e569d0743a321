import { describe, expect, it } from 'vitest';
import { foldPassword, parseCommonPasswords } from './common-passwords.js';

const LENGTHS = { minLength: 8, maxLength: 12 };
const parse = (text: string) => [...parseCommonPasswords(Buffer.from(text, 'utf8'), LENGTHS)];

describe('reading the common-password list', () => {
  it('folds entries to NFKC lower case and drops duplicates', () => {
    expect(parse('Password1\npassword1\nＰＡＳＳＷＯＲＤ１\n')).toEqual(['password1']);
  });

  it('keeps only entries a new password could equal: 8 to maxLength code points', () => {
    expect(parse('1234567\n12345678\n123456789012\n1234567890123')).toEqual([
      '12345678',
      '123456789012',
    ]);
  });

  it('measures an entry after NFKC, so a short line that expands is kept', () => {
    // "ﬃ" (one code point, three bytes) becomes "ffi": 6 typed characters, 8 once folded.
    expect(parse('\uFB03abcde\n')).toEqual(['ffiabcde']);
  });

  it('counts code points, not UTF-16 units or bytes', () => {
    expect(parse('🔑🔑🔑🔑🔑🔑🔑\n🔑🔑🔑🔑🔑🔑🔑🔑\n')).toEqual(['🔑🔑🔑🔑🔑🔑🔑🔑']);
  });

  it('accepts CRLF line ends and a missing final newline', () => {
    expect(parse('sunshine1\r\nletmein12')).toEqual(['sunshine1', 'letmein12']);
  });

  it('folds a typed password the same way as an entry', () => {
    expect(foldPassword('ＩｌｏｖｅＹｏｕ')).toBe('iloveyou');
  });
});
