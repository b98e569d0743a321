import { storeKeys } from '@latchkey/protocol';
import type { Store } from '../store/store.js';
import { parseStoredRecord } from '../store/stored-record.js';

/** A person who can log in. `id` is the stable, opaque `sub` of their tokens. */
export interface User {
  readonly id: string;
  readonly username: string;
  /** Argon2id PHC string; never leaves the IdP, never logged. */
  readonly passwordHash: string;
  readonly roles: readonly string[];
  readonly name?: string;
  readonly email?: string;
  readonly emailVerified?: boolean;
}

/** Users live in the store, so every IdP instance sees the same ones. */
export interface UserRepository {
  findById(id: string): Promise<User | null>;
  findByUsername(username: string): Promise<User | null>;
  /** Writes (or replaces) a user and their username index. */
  save(user: User): Promise<void>;
}

export function createUserRepository(store: Store): UserRepository {
  const findById = async (id: string): Promise<User | null> => {
    if (id === '' || id.length > 200) return null;
    const raw = await store.get(storeKeys.user(id));
    return raw === null ? null : parseUser(raw);
  };
  return {
    findById,
    async findByUsername(username) {
      if (username === '' || username.length > 200) return null;
      const id = await store.get(storeKeys.username(normaliseUsername(username)));
      const user = id === null ? null : await findById(id);
      // An index entry left behind by a renamed user must not log in as the new owner.
      return user && normaliseUsername(user.username) === normaliseUsername(username) ? user : null;
    },
    async save(user) {
      await store.set(storeKeys.user(user.id), JSON.stringify(user));
      await store.set(storeKeys.username(normaliseUsername(user.username)), user.id);
    },
  };
}

/** Usernames are compared case-insensitively and after Unicode normalisation (NFKC). */
export function normaliseUsername(username: string): string {
  return username.normalize('NFKC').toLowerCase();
}

function parseUser(raw: string): User | null {
  return parseStoredRecord<User>(
    raw,
    (value) =>
      typeof value.id === 'string' &&
      typeof value.username === 'string' &&
      typeof value.passwordHash === 'string' &&
      Array.isArray(value.roles),
  );
}
