/**
 * What a new password must be (NIST SP 800-63B §3.1.1.2): long enough, not absurdly long, no
 * composition rules, any Unicode, and not one that attackers try first. Every place that sets
 * a password (reset link, invitation, sign-up, account page, `users set-password`) asks here,
 * so the rules cannot differ between them.
 */
import { countCodePoints } from './code-points.js';
import { foldPassword, readCommonPasswords } from './common-passwords.js';

/** NIST's floor; the pages recommend 15 (`RECOMMENDED_PASSWORD_LENGTH`). */
export const MIN_PASSWORD_LENGTH = 8;
export const RECOMMENDED_PASSWORD_LENGTH = 15;
/** Long enough for any passphrase, short enough that hashing it costs nothing extra. */
export const MAX_PASSWORD_LENGTH = 128;

export type PasswordProblem =
  | 'too_short'
  | 'too_long'
  /** NUL, a lone surrogate or U+FFFD: not text a person can type again. */
  | 'invalid_characters'
  /** In the bundled list of commonly used or breached passwords. */
  | 'common'
  | 'contains_username';

/**
 * Unicode compatibility normalisation (NFKC), so that a password typed on another keyboard
 * (full-width digits, composed accents) still matches. Applied before hashing and before
 * verifying.
 */
export function normalisePassword(password: string): string {
  return password.normalize('NFKC');
}

/** Lengths count code points of the normalised password, as a person counts characters. */
export function passwordLength(password: string): number {
  return countCodePoints(password);
}

/**
 * Not text a person can type again: NUL; a lone surrogate (with the `u` flag a paired one is
 * one code point, so only a lone one matches); U+FFFD, which is what decoding a form made of
 * bytes that were not UTF-8 (a lone surrogate sent as `%ED%A0%80`, a wrongly encoded form).
 */
const UNTYPABLE = /[\u0000\uD800-\uDFFF\uFFFD]/u;

/**
 * The first rule the new password breaks, or null when it is acceptable. `identity` holds the
 * account's username and email, which must not appear in it.
 */
export function checkNewPassword(
  password: string,
  identity: { username?: string; email?: string } = {},
): PasswordProblem | null {
  // Checked on the raw input: normalising a lone surrogate would hide it.
  if (UNTYPABLE.test(password)) return 'invalid_characters';
  const normalised = normalisePassword(password);
  const length = passwordLength(normalised);
  if (length < MIN_PASSWORD_LENGTH) return 'too_short';
  if (length > MAX_PASSWORD_LENGTH) return 'too_long';
  const lower = normalised.toLowerCase();
  for (const name of [identity.username, identity.email?.split('@')[0]]) {
    const needle = name?.normalize('NFKC').trim().toLowerCase();
    if (needle && needle.length >= 3 && lower.includes(needle)) return 'contains_username';
  }
  if (isCommonPassword(normalised)) return 'common';
  return null;
}

// Read on the first check, not at import: the CLI's read-only commands and the tests that
// never set a password do not pay for it. `loadCommonPasswords()` lets a server pay at start-up.
let commonPasswords: Set<string> | undefined;

/**
 * Reads the bundled list now (about a quarter of a second, once) so that the first password
 * change does not wait for it; returns how many entries it holds. Throws
 * `CommonPasswordListError` when the list is missing or too short.
 */
export function loadCommonPasswords(): number {
  return commonPasswordList().size;
}

/** True when the password, compared as NFKC and lower case, is in the bundled list. */
export function isCommonPassword(password: string): boolean {
  return commonPasswordList().has(foldPassword(password));
}

function commonPasswordList(): Set<string> {
  commonPasswords ??= readCommonPasswords({
    minLength: MIN_PASSWORD_LENGTH,
    maxLength: MAX_PASSWORD_LENGTH,
  });
  return commonPasswords;
}
