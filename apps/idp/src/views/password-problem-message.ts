import type { Translator } from '../i18n/translate.js';
import {
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
