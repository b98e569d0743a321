import { storeKeys } from '@latchkey/protocol';
import type { Store } from '@latchkey/idp/dist/store/store.js';
import { normaliseEmail, normaliseUsername } from '@latchkey/idp/dist/users/normalise.js';
import type { NewUser, User, UserRepository } from '@latchkey/idp/dist/users/user.js';

/**
 * The baseline of the directory case: users held in Redis as the IdP held them before the
 * directory moved to PostgreSQL (a JSON record by id, and an index from the normalised
 * username to the id: two GETs per login). Bench-only; the IdP itself has no such mode. It
 * implements the IdP's UserRepository so that the same login and token code runs on it; the
 * account changes are plain read-modify-writes (the bench makes none while it measures), and
 * `list` is refused: the store has no ordered index of usernames and the case never lists.
 */
export function createRedisUserRepository(store: Store): UserRepository {
  const emailKey = (email: string) => `${storeKeys.username('')}email:${normaliseEmail(email)}`;
  const findById = async (id: string): Promise<User | null> => {
    const raw = id === '' ? null : await store.get(storeKeys.user(id));
    return raw === null ? null : revive(raw);
  };
  const byIndex = async (key: string) => {
    const id = await store.get(key);
    return id === null ? null : findById(id);
  };
  const write = async (user: NewUser, ifAbsent: boolean): Promise<boolean> => {
    const now = new Date();
    const record: User = {
      ...user,
      username: normaliseUsername(user.username),
      ...(user.email !== undefined && { email: normaliseEmail(user.email) }),
      state: user.state ?? 'active',
      passwordVersion: 1,
      passwordChangedAt: now,
      createdAt: now,
      updatedAt: now,
    };
    if (!(await store.set(storeKeys.user(user.id), JSON.stringify(record), { ifAbsent }))) {
      return false;
    }
    await store.set(storeKeys.username(record.username), user.id);
    if (record.email !== undefined) await store.set(emailKey(record.email), user.id);
    return true;
  };
  const update = async (id: string, change: (user: User) => User): Promise<User | null> => {
    const user = await findById(id);
    if (user === null) return null;
    const changed = { ...change(user), updatedAt: new Date() };
    await store.set(storeKeys.user(id), JSON.stringify(changed));
    return changed;
  };
  return {
    findById,
    findByUsername: (username) => byIndex(storeKeys.username(normaliseUsername(username))),
    findByEmail: (email) => byIndex(emailKey(email)),
    save: async (user) => {
      await write(user, false);
    },
    createIfAbsent: (user) => write(user, true),
    list: () => Promise.reject(new Error('the bench-only Redis user repository cannot list')),
    updateProfile: () =>
      Promise.reject(new Error('the bench-only Redis user repository cannot update profiles')),
    activatePending: () =>
      Promise.reject(new Error('the bench-only Redis user repository has no sign-up links')),
    markEmailVerified: () =>
      Promise.reject(new Error('the bench-only Redis user repository has no emailed links')),
    setState: async (id, state) => (await update(id, (user) => ({ ...user, state }))) !== null,
    setRoles: async (id, roles) => (await update(id, (user) => ({ ...user, roles }))) !== null,
    async setPasswordHash(id, passwordHash) {
      const changed = await update(id, (user) => ({
        ...user,
        passwordHash,
        passwordVersion: user.passwordVersion + 1,
        passwordChangedAt: new Date(),
      }));
      return changed?.passwordVersion ?? null;
    },
    async delete(id) {
      const user = await findById(id);
      if (user === null) return false;
      await store.delete(
        storeKeys.user(id),
        storeKeys.username(user.username),
        ...(user.email === undefined ? [] : [emailKey(user.email)]),
      );
      return true;
    },
  };
}

function revive(raw: string): User {
  const record = JSON.parse(raw) as User &
    Record<'passwordChangedAt' | 'createdAt' | 'updatedAt', string>;
  return {
    ...record,
    passwordChangedAt: new Date(record.passwordChangedAt),
    createdAt: new Date(record.createdAt),
    updatedAt: new Date(record.updatedAt),
  };
}
