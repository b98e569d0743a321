import type { PasswordProblem } from './password-policy.js';

/**
 * What the account lifecycle refuses, one class per failure a caller acts on differently
 * (the CLI's message, the admin API's status, the reset page's hint). Callers test `code`.
 */
export class AccountError extends Error {
  readonly code: string = 'ERR_ACCOUNT';
}

export class UserNotFoundError extends AccountError {
  override readonly code = 'ERR_USER_NOT_FOUND';
  constructor() {
    super('no such user');
    this.name = 'UserNotFoundError';
  }
}

/**
 * The account is disabled, and the change is one only its (active) owner may make: a reset
 * link or the account page. An operator passes `allowDisabled`.
 */
export class AccountDisabledError extends AccountError {
  override readonly code = 'ERR_ACCOUNT_DISABLED';
  constructor() {
    super('the account is disabled');
    this.name = 'AccountDisabledError';
  }
}

export class UsernameTakenError extends AccountError {
  override readonly code = 'ERR_USERNAME_TAKEN';
  constructor() {
    super('the username is taken (names are compared after case and width folding)');
    this.name = 'UsernameTakenError';
  }
}

export class EmailTakenError extends AccountError {
  override readonly code = 'ERR_EMAIL_TAKEN';
  constructor() {
    super('the email address belongs to another user');
    this.name = 'EmailTakenError';
  }
}

/** The new password breaks a rule of users/password-policy.ts; `problem` says which. */
export class PasswordRefusedError extends AccountError {
  override readonly code = 'ERR_PASSWORD_REFUSED';
  constructor(readonly problem: PasswordProblem) {
    super(`the password is refused: ${problem}`);
    this.name = 'PasswordRefusedError';
  }
}

/** A username, email, name or role that cannot be stored; `field` names it. */
export class InvalidAccountInputError extends AccountError {
  override readonly code = 'ERR_INVALID_ACCOUNT_INPUT';
  constructor(
    readonly field: 'username' | 'email' | 'name' | 'roles',
    detail: string,
  ) {
    super(`${field}: ${detail}`);
    this.name = 'InvalidAccountInputError';
  }
}

/** The user changed since the version the caller edited (`update` with `ifVersion`). */
export class VersionMismatchError extends AccountError {
  override readonly code = 'ERR_VERSION_MISMATCH';
  constructor() {
    super('the user changed since that version');
    this.name = 'VersionMismatchError';
  }
}
