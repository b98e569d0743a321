import { describe, expect, it } from 'vitest';
import { matchTotpStep, normaliseTotpCode, timeStep, totpCodeAt } from './totp-code.js';

describe('TOTP codes (RFC 6238 Appendix B)', () => {
  // The RFC's SHA-1 test key, "12345678901234567890", in base32; its 8-digit vectors end in
  // these six digits.
  const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  it.each([
    [59, '287082'],
    [1111111109, '081804'],
    [1234567890, '005924'],
    [2000000000, '279037'],
  ])('at T=%d s gives %s', (seconds, code) => {
    expect(totpCodeAt(RFC_SECRET, timeStep(seconds * 1000))).toBe(code);
  });

  it('matches the code of each step of the window and no other', () => {
    const nowMs = 1234567890_000;
    const step = timeStep(nowMs);
    for (const offset of [-1, 0, 1]) {
      expect(matchTotpStep(RFC_SECRET, totpCodeAt(RFC_SECRET, step + offset), nowMs)).toBe(
        step + offset,
      );
    }
    for (const offset of [-2, 2]) {
      expect(matchTotpStep(RFC_SECRET, totpCodeAt(RFC_SECRET, step + offset), nowMs)).toBeNull();
    }
  });

  it('takes spaces in a typed code, and nothing that is not six digits', () => {
    expect(normaliseTotpCode(' 123 456 ')).toBe('123456');
    expect(normaliseTotpCode('12345')).toBeNull();
    expect(normaliseTotpCode('1234567')).toBeNull();
    expect(normaliseTotpCode('12345a')).toBeNull();
  });
});
