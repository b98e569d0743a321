import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Ten codes: enough for the rare lost phone, few enough to print and keep. */
export const RECOVERY_CODE_COUNT = 10;

/**
 * Crockford's base32 symbols in lower case: digits, and letters without i, l, o (read as 1
 * and 0) and u. 32 symbols, 5 bits each; sixteen of them make 80 random bits, shown as four
 * groups of four.
 */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const SYMBOLS = 16;

/** Ten new single-use recovery codes, as shown to the person (`abcd-efgh-jkmn-pqrs`). */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
}

function newRecoveryCode(): string {
  // 256 is a multiple of 32: each byte's low five bits pick a symbol with no bias.
  const symbols = [...randomBytes(SYMBOLS)].map((byte) => ALPHABET[byte % ALPHABET.length]);
  return symbols.join('').replace(/(.{4})(?=.)/g, '$1-');
}

/**
 * The code as typed, reduced to its symbols (case, spaces and dashes do not matter), or null
 * when it cannot be a recovery code: nothing of another shape is looked up.
 */
export function normaliseRecoveryCode(value: string): string | null {
  const symbols = value.toLowerCase().replace(/[\s-]+/g, '');
  return symbols.length === SYMBOLS && [...symbols].every((c) => ALPHABET.includes(c))
    ? symbols
    : null;
}

/** What is stored: SHA-256 of the normalised code (80 random bits cannot be guessed from it). */
export function digestRecoveryCode(normalised: string): string {
  return createHash('sha256').update(`latchkey:recovery:${normalised}`).digest('base64url');
}

/**
 * The stored digest that `normalised` matches, comparing against every one in constant
 * time (no early exit), or null.
 */
export function findRecoveryDigest(normalised: string, stored: readonly string[]): string | null {
  const given = Buffer.from(digestRecoveryCode(normalised));
  let found: string | null = null;
  for (const digest of stored) {
    const candidate = Buffer.from(digest);
    if (candidate.length === given.length && timingSafeEqual(candidate, given)) found = digest;
  }
  return found;
}
