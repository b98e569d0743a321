import { describe, expect, it } from 'vitest';
import { ACR_MFA, ACR_PASSWORD, acrForAmr, acrSatisfies, combineAmr } from './assurance.js';

describe('combineAmr (RFC 8176 §2)', () => {
  it('adds mfa when a password is followed by a one-time code: two kinds of factor', () => {
    expect(combineAmr(['pwd'], ['otp'])).toEqual(['pwd', 'otp', 'mfa']);
  });

  it('adds mfa for a password and a hardware key', () => {
    expect(combineAmr(['pwd'], ['hwk'])).toEqual(['pwd', 'hwk', 'mfa']);
  });

  it('does not add mfa for two factors of the same kind', () => {
    expect(combineAmr(['otp'], ['hwk'])).toEqual(['otp', 'hwk']);
    expect(combineAmr(['pwd'], ['pin'])).toEqual(['pwd', 'pin']);
  });

  it('keeps each value once and mfa last', () => {
    expect(combineAmr(['pwd', 'otp', 'mfa'], ['otp'])).toEqual(['pwd', 'otp', 'mfa']);
  });

  it('does not count a user presence test as a factor', () => {
    expect(combineAmr(['hwk'], ['user'])).toEqual(['hwk', 'user']);
  });
});

describe('acr (OIDC Core §2)', () => {
  it('is the mfa level exactly when amr says mfa', () => {
    expect(acrForAmr(['pwd'])).toBe(ACR_PASSWORD);
    expect(acrForAmr(['pwd', 'otp', 'mfa'])).toBe(ACR_MFA);
  });

  it('a higher level satisfies a lower one, never the reverse', () => {
    expect(acrSatisfies(ACR_MFA, ACR_PASSWORD)).toBe(true);
    expect(acrSatisfies(ACR_MFA, ACR_MFA)).toBe(true);
    expect(acrSatisfies(ACR_PASSWORD, ACR_MFA)).toBe(false);
  });

  it('an unknown value satisfies nothing and is satisfied by nothing', () => {
    expect(acrSatisfies('urn:other', ACR_PASSWORD)).toBe(false);
    expect(acrSatisfies(ACR_MFA, 'urn:other')).toBe(false);
  });
});
