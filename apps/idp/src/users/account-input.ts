import { InvalidAccountInputError } from './account-errors.js';

/** As USERS_FILE accepts them (users/load-users.ts): letters, digits and `. _ @ + -`. */
const USERNAME = /^[\p{L}\p{N}._@+-]{1,64}$/u;
/** Deliberately loose (RFC 5321 allows far more than any form should check): one @, no spaces. */
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/u;
const ROLE = /^[A-Za-z0-9._:-]{1,64}$/;
const MAX_ROLES = 32;
const MAX_NAME = 200;

/** Pure checks of what an operator (or the admin API) gives for an account; each throws. */
export function checkUsername(username: string): void {
  if (!USERNAME.test(username.normalize('NFKC').trim())) {
    throw new InvalidAccountInputError('username', 'must be 1-64 letters, digits or . _ @ + -');
  }
}

export function checkEmail(email: string): void {
  if (!EMAIL.test(email.normalize('NFKC').trim())) {
    throw new InvalidAccountInputError(
      'email',
      'must be an email address (at most 320 characters)',
    );
  }
}

export function checkName(name: string): void {
  if (name.length > MAX_NAME || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new InvalidAccountInputError('name', `must be at most ${MAX_NAME} printable characters`);
  }
}

/** Roles, deduplicated in their given order. */
export function checkRoles(roles: readonly string[]): string[] {
  const unique = [...new Set(roles)];
  if (unique.length > MAX_ROLES || !unique.every((role) => ROLE.test(role))) {
    throw new InvalidAccountInputError(
      'roles',
      `at most ${MAX_ROLES}, each 1-64 characters of A-Z a-z 0-9 . _ : -`,
    );
  }
  return unique;
}
