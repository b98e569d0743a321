import type { Translator } from '../i18n/translate.js';
import {
  checkNewPassword,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  type PasswordProblem,
} from '../users/password-policy.js';

/** What the page says about a password the policy refused, in the reader's language. */
export function passwordProblemMessage(t: Translator, problem: PasswordProblem): string {
  switch (problem) {
    case 'too_short':
      return t.text('password.problem.tooShort', { min: MIN_PASSWORD_LENGTH });
    case 'too_long':
      return t.text('password.problem.tooLong', { max: MAX_PASSWORD_LENGTH });
    case 'invalid_characters':
      return t.text('password.problem.invalidCharacters');
    case 'common':
      return t.text('password.problem.common');
    case 'contains_username':
      return t.text('password.problem.containsUsername');
  }
}

/**
 * The policy's verdict on a password that arrived in a form, or null. A form body is
 * percent-encoded, so bytes that are not UTF-8 (a lone surrogate, CESU-8) reach us decoded as
 * U+FFFD: nobody types that character, so it is refused as the policy refuses a lone surrogate.
 */
export function checkSubmittedPassword(
  password: string,
  identity: { username?: string; email?: string },
): PasswordProblem | null {
  if (password.includes('\uFFFD')) return 'invalid_characters';
  return checkNewPassword(password, identity);
}
