import type { Queryable } from '../db/database.js';
import { normaliseEmail, normaliseUsername } from './normalise.js';
import {
  insertUserIfAbsent,
  selectUserByEmail,
  selectUserById,
  selectUserByUsername,
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
}

/** A person who can log in, as the directory holds them (username and email normalised). */
export interface User extends NewUser {
  readonly state: UserState;
  /** Grows with each password change. */
  readonly passwordVersion: number;
  readonly passwordChangedAt: Date;
  readonly createdAt: Date;
  readonly updatedAt: Date;
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
  /** Creates the user unless its id, username or email is taken; true when created. */
  createIfAbsent(user: NewUser): Promise<boolean>;
}

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
    createIfAbsent: (user) => insertUserIfAbsent(db, normalised(user)),
  };
}
