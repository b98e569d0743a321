import type { Queryable } from '../db/database.js';
import { normaliseEmail, normaliseUsername } from './normalise.js';
import {
  deleteUser,
  insertSeedUser,
  insertUserIfAbsent,
  selectUserByEmail,
  selectUserById,
  selectUserByUsername,
  selectUsersPage,
  updatePasswordHash,
  updateProfileFields,
  updateRoles,
  updateUserState,
  activatePendingUser,
  setEmailVerified,
  upsertUser,
} from './user-queries.js';

/** `pending`: signed up and not yet verified, or invited and without a password yet. */
export type UserState = 'active' | 'disabled' | 'pending';

/** What a caller gives to create or replace a user. */
export interface NewUser {
  /** The stable, opaque `sub` of their tokens. */
  readonly id: string;
  readonly username: string;
  /** Argon2id PHC string; never leaves the IdP, never logged. */
  readonly passwordHash: string;
  readonly roles: readonly string[];
  readonly name?: string;
  readonly email?: string;
  readonly emailVerified?: boolean;
  /** Default `active`. */
  readonly state?: UserState;
  /**
   * A self sign-up's `pending` account only: when its verification link dies. Still pending
   * then, it counts as absent and is deleted (account-links/expired-signups.ts).
   */
  readonly signupExpiresAt?: Date;
}

/** A person who can log in, as the directory holds them (username and email normalised). */
export interface User extends NewUser {
  readonly state: UserState;
  /** Grows with each password change. */
  readonly passwordVersion: number;
  readonly passwordChangedAt: Date;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /**
   * Moves on with every write of the row (db/migrations/010-user-version.ts): the admin API's
   * ETag. Absent from directories that keep none (the benchmark's Redis one).
   */
  readonly version?: number;
}

/** What `updateProfile` may change; absent fields stay as they are. `null` clears a name. */
export interface ProfileFields {
  readonly name?: string | null;
  readonly email?: string | null;
  readonly emailVerified?: boolean;
  readonly roles?: readonly string[];
}

/**
 * The directory: the one interface login, tokens and the commands use. Kept in PostgreSQL
 * (server or embedded), so users survive Redis being emptied, and every IdP instance sees
 * the same ones. Look-ups take any spelling of a name (`Alice`, `alice `, `ａｌｉｃｅ`).
 */
export interface UserRepository {
  findById(id: string): Promise<User | null>;
  findByUsername(username: string): Promise<User | null>;
  findByEmail(email: string): Promise<User | null>;
  /**
   * Creates the user, or replaces the one with this id. Rejects when another user holds the
   * (normalised) username or email.
   */
  save(user: NewUser): Promise<void>;
  /**
   * Creates the user unless its id, username or email is taken; true when created. With
   * `forgetDeletion` (an operator creating the user on purpose: `users add`, the admin API,
   * an invitation) an earlier deletion of that id or username is forgotten, so USERS_FILE
   * no longer counts it as deleted. Self sign-up never passes it: a stranger must not be
   * able to undo an operator's deletion of a seed user.
   */
  createIfAbsent(user: NewUser, options?: { forgetDeletion?: boolean }): Promise<boolean>;
  /**
   * The USERS_FILE import of one user (users/load-users.ts): `created`, `exists` (the id,
   * username or email is taken) or `kept_deleted` (an operator deleted that id or username:
   * it stays deleted). Directories that do not remember deletions (the benchmark's Redis
   * one) leave it out, and the import falls back on `createIfAbsent`.
   */
  importSeed?(user: NewUser): Promise<SeedImportOutcome>;
  /**
   * Users in username order, `limit` at a time (1 to 500): pass a page's `next` as `after`
   * for the following one (null after the last). `search` matches part of the username, the
   * email or the name, any case; `%` and `_` in it are plain characters.
   */
  list(query?: UserListQuery): Promise<UserPage>;
  /** False when there is no such user. */
  setState(id: string, state: UserState): Promise<boolean>;
  /**
   * A pending user becomes active, their address proven by a link that reached them; true
   * when it did. Only from `pending`: a disabled user stays disabled whatever link they hold.
   * With `signupValidAt` (the verification page), a self sign-up whose lifetime ended before
   * it is not revived: it counts as absent already, and a new sign-up may hold its name.
   */
  activatePending(id: string, options?: { signupValidAt?: Date }): Promise<boolean>;
  /** A link reached the user's mailbox: the address is proven (no change when it was). */
  markEmailVerified(id: string): Promise<void>;
  /** Stores a new hash and moves `password_version` on; the new version, or null when no user. */
  setPasswordHash(id: string, passwordHash: string): Promise<number | null>;
  /** False when there is no such user. */
  setRoles(id: string, roles: readonly string[]): Promise<boolean>;
  /**
   * False when there was no such user. Remembers the deletion (id and username), so that
   * USERS_FILE does not bring the user back at the next start (`importSeed`).
   */
  delete(id: string): Promise<boolean>;
  /**
   * Changes the given fields in one write; with `ifVersion`, only while the user is still at
   * that `version` (else `version_mismatch`). Rejects like `save` when the email is taken.
   */
  updateProfile(
    id: string,
    changes: ProfileFields,
    ifVersion?: number,
  ): Promise<User | 'not_found' | 'version_mismatch'>;
}

export type SeedImportOutcome = 'created' | 'exists' | 'kept_deleted';

export interface UserListQuery {
  /** The `next` of the previous page; the first page without it. */
  readonly after?: string | null;
  /** Default 50. */
  readonly limit?: number;
  readonly search?: string | null;
}

export interface UserPage {
  readonly users: readonly User[];
  /** Where the next page starts, or null when this one is the last. */
  readonly next: string | null;
}

export const DEFAULT_USER_PAGE = 50;
export const MAX_USER_PAGE = 500;

/** Longer inputs are nobody's: answered without asking the database. */
const MAX_INPUT = 320;

export function createUserRepository(db: Queryable): UserRepository {
  const normalised = (user: NewUser): NewUser => ({
    ...user,
    username: normaliseUsername(user.username),
    ...(user.email !== undefined && { email: normaliseEmail(user.email) }),
  });
  // PostgreSQL text cannot hold NUL: such a name matches nobody rather than failing the query.
  const usable = (value: string) =>
    value !== '' && value.length <= MAX_INPUT && !value.includes('\u0000');
  return {
    async findById(id) {
      return usable(id) ? selectUserById(db, id) : null;
    },
    async findByUsername(username) {
      const name = normaliseUsername(username);
      return usable(name) ? selectUserByUsername(db, name) : null;
    },
    async findByEmail(email) {
      const address = normaliseEmail(email);
      return usable(address) ? selectUserByEmail(db, address) : null;
    },
    save: (user) => upsertUser(db, normalised(user)),
    createIfAbsent: (user, options) => insertUserIfAbsent(db, normalised(user), options),
    importSeed: (user) => insertSeedUser(db, normalised(user)),
    async list({ after = null, limit = DEFAULT_USER_PAGE, search = null } = {}) {
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_USER_PAGE) {
        throw new RangeError(`limit must be an integer from 1 to ${MAX_USER_PAGE}`);
      }
      const term = search === null ? '' : normaliseUsername(search);
      if (term.includes('\u0000') || term.length > MAX_INPUT) return { users: [], next: null };
      if (after !== null && (after.includes('\u0000') || after.length > MAX_INPUT)) {
        return { users: [], next: null };
      }
      // One row more than asked tells whether another page follows, without a count.
      const rows = await selectUsersPage(db, {
        after,
        limit: limit + 1,
        search: term === '' ? null : term,
      });
      const users = rows.slice(0, limit);
      return { users, next: rows.length > limit ? users[users.length - 1]!.username : null };
    },
    setState: async (id, state) => usable(id) && updateUserState(db, id, state),
    activatePending: async (id, options) =>
      usable(id) && activatePendingUser(db, id, options?.signupValidAt ?? null),
    async markEmailVerified(id) {
      if (usable(id)) await setEmailVerified(db, id);
    },
    setPasswordHash: async (id, hash) => (usable(id) ? updatePasswordHash(db, id, hash) : null),
    setRoles: async (id, roles) => usable(id) && updateRoles(db, id, roles),
    delete: async (id) => usable(id) && deleteUser(db, id),
    async updateProfile(id, changes, ifVersion) {
      if (!usable(id)) return 'not_found';
      const email = changes.email;
      return updateProfileFields(
        db,
        id,
        { ...changes, ...(typeof email === 'string' && { email: normaliseEmail(email) }) },
        ifVersion,
      );
    },
  };
}
