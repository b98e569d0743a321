import { randomBytes } from 'node:crypto';
import {
  AccountDisabledError,
  EmailTakenError,
  PasswordRefusedError,
  UsernameTakenError,
  UserNotFoundError,
} from './account-errors.js';
import { checkEmail, checkName, checkRoles, checkUsername } from './account-input.js';
import { hashPassword } from './password-hash.js';
import { checkNewPassword } from './password-policy.js';
import type { User, UserRepository } from './user.js';

/**
 * Told when an account changed in a way its owner must hear of. The default does nothing;
 * the mail wing sends "your password was changed". It must not throw for a mail that cannot
 * be sent (retry and log inside): the change is done by then and is never undone for it.
 */
export interface AccountNotifier {
  passwordChanged(user: User): void | Promise<void>;
  /** Every second factor was removed (`resetSecondFactors`). */
  secondFactorsReset?(user: User): void | Promise<void>;
}

/**
 * Removes one kind of second factor of a user (TOTP and recovery codes in mfa/; passkeys in
 * their own wing). The lifecycle calls each for `resetSecondFactors`; none may leave a
 * factor behind when it resolves.
 */
export type SecondFactorRemover = (userId: string) => Promise<void>;

/** Why the lifecycle ends sessions; each is one of the revoker's reasons. */
export type AccountRevocationReason =
  'user_disabled' | 'user_deleted' | 'password_changed' | 'mfa_reset';

/**
 * The part of the revoker (sessions/revoker.ts) the lifecycle uses, named here so that the
 * directory does not depend on the sessions layer: the IdP passes its revoker.
 */
export interface SessionEnder {
  revokeUser(sub: string, reason: AccountRevocationReason): Promise<number>;
  revokeOtherSessions(
    sub: string,
    keepSid: string,
    reason: AccountRevocationReason,
  ): Promise<number>;
}

export interface NewAccount {
  username: string;
  email?: string;
  name?: string;
  roles: readonly string[];
  /**
   * Checked against the password policy. Without it the account has no usable password
   * (an invitation or reset link gives it one): its hash is of a random secret nobody
   * knows, so a login costs the same Argon2 work as any other and fails.
   */
  password?: string;
}

/**
 * The one way an account changes: the `users` command, the admin API, the reset page and the
 * account page all call these, so "disable signs out everywhere" cannot hold at one door and
 * not another. Errors are the typed ones of account-errors.ts.
 */
export interface AccountLifecycle {
  add(input: NewAccount): Promise<User>;
  /** State `disabled`, then every session ends and every token issued until now is revoked. */
  disable(userId: string): Promise<void>;
  enable(userId: string): Promise<void>;
  /** Disables (ending every session), then deletes the row. */
  remove(userId: string): Promise<void>;
  /**
   * Checks the policy, stores the new hash (moving `password_version` on, which kills reset
   * links), ends every session but `keepSid`, then tells the notifier. A disabled account is
   * refused (`AccountDisabledError`: a disabled user cannot reset a password) unless
   * `allowDisabled`, which only an operator's door (CLI, admin API) passes.
   */
  setPassword(userId: string, password: string, options?: SetPasswordOptions): Promise<void>;
  setRoles(userId: string, roles: readonly string[]): Promise<void>;
  /**
   * Removes every second factor of the user (each SecondFactorRemover), then ends every
   * session: whoever holds one was let in with a factor that no longer exists (a lost phone,
   * a stolen one). Then tells the notifier. The operator's door (`users reset-mfa`).
   */
  resetSecondFactors(userId: string): Promise<void>;
}

export interface SetPasswordOptions {
  /** The session the change was made in (account page): it stays signed in. */
  keepSid?: string;
  /** Default false: self-service doors must never revive a disabled account's password. */
  allowDisabled?: boolean;
}

export interface AccountLifecycleDeps {
  users: UserRepository;
  sessions: SessionEnder;
  notifier?: AccountNotifier;
  /** A new user's `sub`; random by default, so renaming never changes it. */
  newUserId?: () => string;
  /** Default Argon2id (users/password-hash.ts); tests may pass a cheaper one. */
  hashPassword?: (password: string) => Promise<string>;
  /** Where a notifier's failure is reported (the IdP logs it); the change stands regardless. */
  reportNoticeFailure?: (error: unknown) => void;
  /** Each kind of second factor, for `resetSecondFactors`. Default none. */
  secondFactorRemovers?: readonly SecondFactorRemover[];
}

const NO_NOTICE: AccountNotifier = { passwordChanged: () => undefined };

export function createAccountLifecycle(deps: AccountLifecycleDeps): AccountLifecycle {
  const { users, sessions } = deps;
  const notifier = deps.notifier ?? NO_NOTICE;
  const hash = deps.hashPassword ?? hashPassword;
  const newUserId = deps.newUserId ?? (() => `u_${randomBytes(16).toString('base64url')}`);

  const existing = async (userId: string): Promise<User> => {
    const user = await users.findById(userId);
    if (!user) throw new UserNotFoundError();
    return user;
  };
  const found = (changed: boolean): void => {
    if (!changed) throw new UserNotFoundError();
  };

  const lifecycle: AccountLifecycle = {
    async add(input) {
      checkUsername(input.username);
      if (input.email !== undefined) checkEmail(input.email);
      if (input.name !== undefined) checkName(input.name);
      const roles = checkRoles(input.roles);
      if (input.password !== undefined) {
        const problem = checkNewPassword(input.password, input);
        if (problem) throw new PasswordRefusedError(problem);
      }
      const id = newUserId();
      const created = await users.createIfAbsent({
        id,
        username: input.username,
        passwordHash: await hash(input.password ?? randomBytes(32).toString('base64url')),
        roles,
        ...(input.name !== undefined && { name: input.name }),
        ...(input.email !== undefined && { email: input.email }),
      });
      if (!created) {
        // Told apart afterwards: the insert itself is the only race-free check.
        if (await users.findByUsername(input.username)) throw new UsernameTakenError();
        if (input.email !== undefined && (await users.findByEmail(input.email))) {
          throw new EmailTakenError();
        }
        throw new Error('the new user could not be stored; try again');
      }
      return existing(id);
    },

    async disable(userId) {
      // State first: from here on nothing issues this user a token, even if the revocation
      // below fails half-way (and calling again finishes it).
      found(await users.setState(userId, 'disabled'));
      await sessions.revokeUser(userId, 'user_disabled');
    },

    async enable(userId) {
      found(await users.setState(userId, 'active'));
    },

    async remove(userId) {
      found(await users.setState(userId, 'disabled'));
      await sessions.revokeUser(userId, 'user_deleted');
      await users.delete(userId);
    },

    async setPassword(userId, password, options = {}) {
      const user = await existing(userId);
      if (user.state !== 'active' && options.allowDisabled !== true) {
        throw new AccountDisabledError();
      }
      const problem = checkNewPassword(password, {
        username: user.username,
        ...(user.email !== undefined && { email: user.email }),
      });
      if (problem) throw new PasswordRefusedError(problem);
      const version = await users.setPasswordHash(userId, await hash(password));
      if (version === null) throw new UserNotFoundError();
      if (options.keepSid === undefined) {
        await sessions.revokeUser(userId, 'password_changed');
      } else {
        await sessions.revokeOtherSessions(userId, options.keepSid, 'password_changed');
      }
      try {
        await notifier.passwordChanged((await users.findById(userId)) ?? user);
      } catch (error) {
        deps.reportNoticeFailure?.(error);
      }
    },

    async setRoles(userId, roles) {
      found(await users.setRoles(userId, checkRoles(roles)));
    },

    async resetSecondFactors(userId) {
      const user = await existing(userId);
      for (const remove of deps.secondFactorRemovers ?? []) await remove(userId);
      await sessions.revokeUser(userId, 'mfa_reset');
      try {
        await notifier.secondFactorsReset?.(user);
      } catch (error) {
        deps.reportNoticeFailure?.(error);
      }
    },
  };
  return lifecycle;
}
