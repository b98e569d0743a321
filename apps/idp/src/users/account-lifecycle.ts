import { randomBytes } from 'node:crypto';
import type {
  AuditActor,
  AuditDetailValue,
  KnownAuditEventType,
  RequestFacts,
} from '../audit/audit-event.js';
import { noAudit, type AuditTrail } from '../audit/audit-trail.js';
import {
  AccountDisabledError,
  EmailTakenError,
  PasswordRefusedError,
  UsernameTakenError,
  UserNotFoundError,
  VersionMismatchError,
} from './account-errors.js';
import { checkEmail, checkName, checkRoles, checkUsername } from './account-input.js';
import { hashPassword } from './password-hash.js';
import { checkNewPassword } from './password-policy.js';
import type { ProfileFields, User, UserRepository } from './user.js';

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
  revokeUser(sub: string, reason: AccountRevocationReason, by?: ChangedBy): Promise<number>;
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
  add(input: NewAccount, by?: ChangedBy): Promise<User>;
  /** State `disabled`, then every session ends and every token issued until now is revoked. */
  disable(userId: string, by?: ChangedBy): Promise<void>;
  enable(userId: string, by?: ChangedBy): Promise<void>;
  /** Disables (ending every session), then deletes the row. */
  remove(userId: string, by?: ChangedBy): Promise<void>;
  /**
   * Checks the policy, stores the new hash (moving `password_version` on, which kills reset
   * links), ends every session but `keepSid`, then tells the notifier. A disabled account is
   * refused (`AccountDisabledError`: a disabled user cannot reset a password) unless
   * `allowDisabled`, which only an operator's door (CLI, admin API) passes.
   */
  setPassword(userId: string, password: string, options?: SetPasswordOptions): Promise<void>;
  setRoles(userId: string, roles: readonly string[], by?: ChangedBy): Promise<void>;
  /**
   * Changes the given profile fields and roles in one write, checked as `add` checks them;
   * with `ifVersion` only while the user is still at that version (`VersionMismatchError`),
   * so that two admins editing one user never lose a field silently. The admin API's PATCH.
   */
  update(
    userId: string,
    changes: ProfileFields,
    by?: ChangedBy,
    options?: { ifVersion?: number },
  ): Promise<User>;
  /**
   * Removes every second factor of the user (each SecondFactorRemover), then ends every
   * session: whoever holds one was let in with a factor that no longer exists (a lost phone,
   * a stolen one). Then tells the notifier. The operator's door (`users reset-mfa`).
   */
  resetSecondFactors(userId: string, by?: ChangedBy): Promise<void>;
}

/**
 * Who made a change and from where, for the audit trail: every change is recorded with its
 * actor. Without one the change is the IdP's own (`system`).
 */
export interface ChangedBy {
  actor: AuditActor;
  request?: RequestFacts | undefined;
}

export interface SetPasswordOptions extends Partial<ChangedBy> {
  /** The session the change was made in (account page): it stays signed in. */
  keepSid?: string;
  /** Default false: self-service doors must never revive a disabled account's password. */
  allowDisabled?: boolean;
  /** Which door, for the audit trail: `reset_link`, `invitation`, `account_page`, `cli`. */
  via?: string;
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
  /** Every change, with who made it. */
  audit?: AuditTrail;
  /** Who acts when a call names no one (an operator's command); default the IdP itself. */
  actor?: AuditActor;
  /** Each kind of second factor, for `resetSecondFactors`. Default none. */
  secondFactorRemovers?: readonly SecondFactorRemover[];
}

const NO_NOTICE: AccountNotifier = { passwordChanged: () => undefined };

export function createAccountLifecycle(deps: AccountLifecycleDeps): AccountLifecycle {
  const { users, sessions } = deps;
  const audit = deps.audit ?? noAudit;
  const record = (
    type: KnownAuditEventType,
    subject: string,
    by: Partial<ChangedBy> | undefined,
    detail?: Record<string, AuditDetailValue>,
  ) =>
    audit.record({
      type,
      subject,
      ...((by?.actor ?? deps.actor) && { actor: by?.actor ?? deps.actor }),
      ...(by?.request && { request: by.request }),
      ...(detail && { detail }),
    });
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
    async add(input, by) {
      checkUsername(input.username);
      if (input.email !== undefined) checkEmail(input.email);
      if (input.name !== undefined) checkName(input.name);
      const roles = checkRoles(input.roles);
      if (input.password !== undefined) {
        const problem = checkNewPassword(input.password, input);
        if (problem) throw new PasswordRefusedError(problem);
      }
      const id = newUserId();
      const created = await users.createIfAbsent(
        {
          id,
          username: input.username,
          passwordHash: await hash(input.password ?? randomBytes(32).toString('base64url')),
          roles,
          ...(input.name !== undefined && { name: input.name }),
          ...(input.email !== undefined && { email: input.email }),
        },
        // An operator adding someone deleted earlier means it: USERS_FILE may list them again.
        { forgetDeletion: true },
      );
      if (!created) {
        // Told apart afterwards: the insert itself is the only race-free check.
        if (await users.findByUsername(input.username)) throw new UsernameTakenError();
        if (input.email !== undefined && (await users.findByEmail(input.email))) {
          throw new EmailTakenError();
        }
        throw new Error('the new user could not be stored; try again');
      }
      await record('user.created', id, by, { username: input.username, roles: roles.join(' ') });
      return existing(id);
    },

    async disable(userId, by) {
      // State first: from here on nothing issues this user a token, even if the revocation
      // below fails half-way (and calling again finishes it).
      found(await users.setState(userId, 'disabled'));
      await sessions.revokeUser(userId, 'user_disabled', by);
      await record('user.disabled', userId, by);
    },

    async enable(userId, by) {
      found(await users.setState(userId, 'active'));
      await record('user.enabled', userId, by);
    },

    async remove(userId, by) {
      found(await users.setState(userId, 'disabled'));
      await sessions.revokeUser(userId, 'user_deleted', by);
      await users.delete(userId);
      await record('user.deleted', userId, by);
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
        await sessions.revokeUser(
          userId,
          'password_changed',
          options.actor && { actor: options.actor, request: options.request },
        );
      } else {
        await sessions.revokeOtherSessions(userId, options.keepSid, 'password_changed');
      }
      await record('user.password_changed', userId, options, {
        ...(options.via !== undefined && { via: options.via }),
        ...(options.keepSid !== undefined && { kept_session: options.keepSid }),
      });
      try {
        await notifier.passwordChanged((await users.findById(userId)) ?? user);
      } catch (error) {
        deps.reportNoticeFailure?.(error);
      }
    },

    async setRoles(userId, roles, by) {
      const checked = checkRoles(roles);
      found(await users.setRoles(userId, checked));
      await record('user.roles_changed', userId, by, { roles: checked.join(' ') });
    },

    async update(userId, changes, by, options = {}) {
      if (typeof changes.email === 'string') checkEmail(changes.email);
      if (typeof changes.name === 'string') checkName(changes.name);
      const roles = changes.roles === undefined ? undefined : checkRoles(changes.roles);
      let updated: Awaited<ReturnType<UserRepository['updateProfile']>>;
      try {
        updated = await users.updateProfile(
          userId,
          { ...changes, ...(roles && { roles }) },
          options.ifVersion,
        );
      } catch (error) {
        // The unique index is the race-free check; told apart afterwards, as in `add`.
        const holder =
          typeof changes.email === 'string' && (await users.findByEmail(changes.email));
        if (holder && holder.id !== userId) throw new EmailTakenError();
        throw error;
      }
      if (updated === 'not_found') throw new UserNotFoundError();
      if (updated === 'version_mismatch') throw new VersionMismatchError();
      const changed = Object.keys(changes).filter(
        (name) => changes[name as keyof ProfileFields] !== undefined,
      );
      await record('user.updated', userId, by, {
        fields: changed.join(' '),
        ...(roles && { roles: roles.join(' ') }),
      });
      return updated;
    },

    async resetSecondFactors(userId, by) {
      const user = await existing(userId);
      for (const remove of deps.secondFactorRemovers ?? []) await remove(userId);
      await sessions.revokeUser(userId, 'mfa_reset', by);
      await record('user.second_factors_reset', userId, by);
      try {
        await notifier.secondFactorsReset?.(user);
      } catch (error) {
        deps.reportNoticeFailure?.(error);
      }
    },
  };
  return lifecycle;
}
