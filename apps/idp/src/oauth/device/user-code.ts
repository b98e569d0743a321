import { randomInt } from 'node:crypto';

/**
 * RFC 8628 §6.1: 20 consonants, no vowels (no words spelt by chance) and none of the letters
 * people confuse with digits; 8 of them hold about 34.5 bits, enough with guessing limited
 * (device-routes.ts) for codes that live minutes.
 */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
const LENGTH = 8;

/** A new user code in its stored form: 8 letters, no dash (crypto random, no bias). */
export function newUserCode(): string {
  let code = '';
  for (let i = 0; i < LENGTH; i++) code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return code;
}

/** As shown to people: WDJB-MJHT. */
export function formatUserCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * What a person typed, in stored form, or null when it cannot be a user code. Case does not
 * matter, and dashes and spaces are ignored (§6.1: people type what they read).
 */
export function normaliseUserCode(typed: string | undefined): string | null {
  if (typed === undefined || typed.length > 32) return null;
  const code = typed.replace(/[\s-]/g, '').toUpperCase();
  if (code.length !== LENGTH) return null;
  for (const letter of code) if (!USER_CODE_ALPHABET.includes(letter)) return null;
  return code;
}
