import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshTestDatabase } from '../test-support/test-database.js';
import {
  deriveUserId,
  importUsers,
  loadUsersFile,
  parseUsers,
  UsersFileError,
} from './load-users.js';
import { hashPassword, verifyPassword } from './password-hash.js';
import { createUserRepository, type UserRepository } from './user.js';

const DEMO_USERS = fileURLToPath(new URL('../../demo/users.json', import.meta.url));

async function problems(entries: unknown, production = false): Promise<readonly string[]> {
  try {
    await parseUsers(entries, { production });
  } catch (error) {
    if (error instanceof UsersFileError) return error.problems;
    throw error;
  }
  return [];
}

// The worker's embedded PostgreSQL takes seconds to start: once, here, not inside a test.
beforeAll(() => freshTestDatabase().then((db) => db.close()));

describe('USERS_FILE', () => {
  it('loads the Contract demo users: alice (admin) and bob (user), passwords hashed at load', async () => {
    const users = await loadUsersFile(DEMO_USERS, { production: false });
    const alice = users.find((user) => user.username === 'alice');
    const bob = users.find((user) => user.username === 'bob');
    expect(alice).toMatchObject({ roles: ['admin'], name: 'Alice Liddell', emailVerified: true });
    expect(alice?.email).toMatch(/@example\.com$/);
    expect(bob).toMatchObject({ roles: ['user'] });
    expect(await verifyPassword(alice!.passwordHash, 'wonderland-alice')).toBe(true);
    expect(await verifyPassword(bob!.passwordHash, 'builder-bob')).toBe(true);
    expect(JSON.stringify(users)).not.toContain('wonderland-alice');
  });

  it('derives a stable, opaque sub when no id is given (the same on every start)', async () => {
    const [first] = await parseUsers([{ username: 'Carol', password: 'carol-password' }], {
      production: false,
    });
    const [second] = await parseUsers([{ username: 'carol', password: 'carol-password' }], {
      production: false,
    });
    expect(first!.id).toBe(second!.id);
    expect(first!.id).toBe(deriveUserId('carol'));
    expect(first!.id).not.toContain('carol');
  });

  it('keeps an explicit id as the sub and accepts an Argon2id password_hash as is', async () => {
    const hash = await hashPassword('dave-password');
    const [dave] = await parseUsers(
      [{ id: 'user-42', username: 'dave', password_hash: hash, roles: [] }],
      {
        production: true,
      },
    );
    expect(dave).toMatchObject({ id: 'user-42', passwordHash: hash });
  });

  it('refuses plain passwords in production, asking for password_hash', async () => {
    expect(await problems([{ username: 'eve', password: 'eve-password' }], true)).toEqual([
      'USERS_FILE: user #0: plain password refused in production; give password_hash (Argon2id)',
    ]);
  });

  it('names every bad entry on its own line, never quoting a password', async () => {
    const lines = await problems([
      'nope',
      { username: '', password: 'x-password' },
      { username: 'frank' },
      { username: 'grace', password_hash: 'secret-looking-md5' },
      { username: 'heidi', password: 'heidi-password', roles: 'admin' },
      { username: 'HEIDI', password: 'heidi-password' },
      { username: 'ivan', password: 'short' },
    ]);
    expect(lines).toHaveLength(7);
    expect(lines.every((line) => line.startsWith('USERS_FILE: user #'))).toBe(true);
    expect(lines.join('\n')).not.toMatch(/secret-looking-md5|x-password|heidi-password/);
    await expect(parseUsers({}, { production: false })).rejects.toBeInstanceOf(UsersFileError);
  });

  it('imports the users into the directory, found by id and by any spelling of the name', async () => {
    const db = await freshTestDatabase();
    const repository = createUserRepository(db);
    const demo = await loadUsersFile(DEMO_USERS, { production: false });
    expect(await importUsers(repository, demo)).toBe(2);
    const alice = await repository.findByUsername('ALICE');
    expect(alice?.username).toBe('alice');
    expect(await repository.findById(alice!.id)).toEqual(alice);
    await db.close();
  });

  it('imports idempotently: a password or state changed since is never overwritten', async () => {
    const db = await freshTestDatabase();
    const repository = createUserRepository(db);
    const demo = await loadUsersFile(DEMO_USERS, { production: false });
    await importUsers(repository, demo);
    const bob = (await repository.findByUsername('bob'))!;
    const changed = await hashPassword('bob-changed-it-since');
    await repository.save({ ...bob, passwordHash: changed, state: 'disabled' });

    expect(await importUsers(repository, demo)).toBe(0);
    const after = (await repository.findByUsername('bob'))!;
    expect(after.passwordHash).toBe(changed);
    expect(after.state).toBe('disabled');
    expect(after.passwordVersion).toBe(2);
    expect(await repository.findByUsername('alice')).not.toBeNull();
    await db.close();
  });

  it('warns once per user an operator deleted, and skips only them', async () => {
    const db = await freshTestDatabase();
    const repository = createUserRepository(db);
    const demo = await loadUsersFile(DEMO_USERS, { production: false });
    await importUsers(repository, demo);
    await repository.delete((await repository.findByUsername('bob'))!.id);
    const warnings: Array<[string, Record<string, string>]> = [];
    const logger = {
      warn: (event: string, fields: Record<string, string>) => warnings.push([event, fields]),
    };
    expect(await importUsers(repository, demo, logger)).toBe(0);
    expect(await repository.findByUsername('bob')).toBeNull();
    expect(warnings).toEqual([
      [
        'users.file_entry_ignored',
        {
          user: 'bob',
          sub: deriveUserId('bob'),
          detail: 'deleted by an operator: it stays deleted; remove it from USERS_FILE',
        },
      ],
    ]);
    await db.close();
  });

  it("on a directory that remembers no deletions (the benchmark's), only creates the missing", async () => {
    const db = await freshTestDatabase();
    const forgetful: UserRepository = { ...createUserRepository(db) };
    delete forgetful.importSeed;
    const demo = await loadUsersFile(DEMO_USERS, { production: false });
    expect(await importUsers(forgetful, demo)).toBe(2);
    expect(await importUsers(forgetful, demo)).toBe(0);
    await db.close();
  });
});
