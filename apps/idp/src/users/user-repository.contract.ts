import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import { newUserFactory } from '../test-support/new-users.js';
import { createUserRepository, type UserPage, type UserRepository } from './user.js';

/**
 * What every directory backend promises (PGlite and a PostgreSQL server run the same SQL):
 * the suite runs once per backend, on a migrated database of its own.
 */
export function userRepositoryContract(name: string, open: () => Promise<Database>): void {
  describe(`UserRepository contract: ${name}`, () => {
    let db: Database;
    let users: UserRepository;
    beforeAll(async () => {
      db = await open();
      users = createUserRepository(db);
    }, 60_000);
    afterAll(async () => {
      await db?.close();
    });

    const someone = newUserFactory('u', 'person');

    it('finds a saved user by id, username and email, with every field', async () => {
      const user = someone({
        name: 'Carol Example',
        email: 'carol@example.test',
        emailVerified: true,
        roles: ['admin', 'user'],
      });
      await users.save(user);
      const found = await users.findById(user.id);
      expect(found).toMatchObject({
        id: user.id,
        username: user.username,
        passwordHash: user.passwordHash,
        roles: ['admin', 'user'],
        name: 'Carol Example',
        email: 'carol@example.test',
        emailVerified: true,
        state: 'active',
        passwordVersion: 1,
      });
      expect(found!.createdAt).toBeInstanceOf(Date);
      expect(found!.passwordChangedAt).toBeInstanceOf(Date);
      expect(await users.findByUsername(user.username)).toEqual(found);
      expect(await users.findByEmail('carol@example.test')).toEqual(found);
    });

    it('leaves optional fields out rather than null', async () => {
      const user = someone();
      await users.save(user);
      const found = (await users.findById(user.id))!;
      expect('name' in found).toBe(false);
      expect('email' in found).toBe(false);
      expect(found.emailVerified).toBe(false);
    });

    it.each(['Alice', 'alice ', ' ALICE', 'ａｌｉｃｅ', 'Ａｌｉｃｅ\t'])(
      'resolves %j to the one account named alice',
      async (spelling) => {
        if (!(await users.findByUsername('alice'))) {
          await users.save(someone({ id: 'alice-id', username: 'Alice' }));
        }
        expect((await users.findByUsername(spelling))?.id).toBe('alice-id');
      },
    );

    it('stores the normalised username and email', async () => {
      const user = someone({ username: ' ＤＡＶＥ ', email: ' Dave@Example.TEST ' });
      await users.save(user);
      expect(await users.findById(user.id)).toMatchObject({
        username: 'dave',
        email: 'dave@example.test',
      });
      expect((await users.findByEmail('DAVE@example.test'))?.id).toBe(user.id);
    });

    it('refuses a second account whose name differs only by case, width or spaces', async () => {
      await users.save(someone({ id: 'erin-1', username: 'erin' }));
      for (const [index, spelling] of ['Erin', 'erin ', 'ｅｒｉｎ'].entries()) {
        await expect(
          users.save(someone({ id: `erin-dup-${index}`, username: spelling })),
        ).rejects.toMatchObject({ code: '23505' });
        expect(await users.createIfAbsent(someone({ username: spelling }))).toBe(false);
      }
      expect((await users.findByUsername('ERIN'))?.id).toBe('erin-1');
    });

    it('refuses a second account with the same email in another spelling', async () => {
      await users.save(someone({ email: 'frank@example.test' }));
      expect(await users.createIfAbsent(someone({ email: 'FRANK@example.test ' }))).toBe(false);
    });

    it('answers null for unknown, empty, huge or NUL-carrying names, never an error', async () => {
      for (const name of ['nobody-here', '', ' ', 'x'.repeat(10_000), 'ali\u0000ce']) {
        expect(await users.findByUsername(name)).toBeNull();
        expect(await users.findByEmail(name)).toBeNull();
        expect(await users.findById(name)).toBeNull();
      }
    });

    it('createIfAbsent creates once, then never overwrites', async () => {
      const user = someone();
      expect(await users.createIfAbsent(user)).toBe(true);
      expect(await users.createIfAbsent({ ...user, passwordHash: 'other', roles: [] })).toBe(false);
      expect(await users.findById(user.id)).toMatchObject({
        passwordHash: user.passwordHash,
        roles: ['user'],
      });
    });

    it('save replaces a user; a new password moves the version on, the same one does not', async () => {
      const user = someone();
      await users.save(user);
      const before = (await users.findById(user.id))!;
      await users.save({ ...user, roles: ['admin'] });
      expect(await users.findById(user.id)).toMatchObject({ roles: ['admin'], passwordVersion: 1 });
      await users.save({ ...user, passwordHash: `${user.passwordHash}-new` });
      const after = (await users.findById(user.id))!;
      expect(after.passwordVersion).toBe(2);
      expect(after.passwordChangedAt.getTime()).toBeGreaterThanOrEqual(
        before.passwordChangedAt.getTime(),
      );
      expect(after.createdAt).toEqual(before.createdAt);
    });

    it('keeps the state: disabled users are found, marked disabled', async () => {
      const user = someone({ state: 'disabled' });
      await users.save(user);
      expect((await users.findByUsername(user.username))?.state).toBe('disabled');
    });

    it('refuses a state other than active or disabled', async () => {
      await expect(
        users.save(someone({ state: 'deleted' as unknown as 'active' })),
      ).rejects.toMatchObject({ code: '23514' });
    });

    it('setState disables and enables; false for an unknown id', async () => {
      const user = someone();
      await users.save(user);
      expect(await users.setState(user.id, 'disabled')).toBe(true);
      expect((await users.findById(user.id))?.state).toBe('disabled');
      expect(await users.setState(user.id, 'active')).toBe(true);
      expect((await users.findById(user.id))?.state).toBe('active');
      expect(await users.setState('nobody', 'disabled')).toBe(false);
      expect(await users.setState('', 'disabled')).toBe(false);
    });

    it('activatePending activates a pending user and proves the address, only from pending', async () => {
      const pending = someone({ state: 'pending', email: 'dora@example.test' });
      const disabled = someone({ state: 'disabled' });
      await users.save(pending);
      await users.save(disabled);
      expect(await users.activatePending(pending.id)).toBe(true);
      expect(await users.findById(pending.id)).toMatchObject({
        state: 'active',
        emailVerified: true,
      });
      // Already active: nothing to do, and a disabled user stays disabled whatever link.
      expect(await users.activatePending(pending.id)).toBe(false);
      expect(await users.activatePending(disabled.id)).toBe(false);
      expect((await users.findById(disabled.id))?.state).toBe('disabled');
      expect(await users.activatePending('nobody')).toBe(false);
      expect(await users.activatePending('')).toBe(false);
    });

    it('activatePending with signupValidAt does not revive a sign-up whose lifetime ended', async () => {
      const at = new Date('2026-12-01T12:00:00Z');
      const late = someone({ state: 'pending', signupExpiresAt: new Date(at.getTime() - 1) });
      const inTime = someone({ state: 'pending', signupExpiresAt: new Date(at.getTime() + 1) });
      await users.save(late);
      await users.save(inTime);
      expect(await users.activatePending(late.id, { signupValidAt: at })).toBe(false);
      expect((await users.findById(late.id))?.state).toBe('pending');
      expect(await users.activatePending(inTime.id, { signupValidAt: at })).toBe(true);
      const active = await users.findById(inTime.id);
      expect(active?.state).toBe('active');
      expect(active?.signupExpiresAt).toBeUndefined();
    });

    it('markEmailVerified proves the address; an unknown id is no error', async () => {
      const user = someone({ email: 'erin@example.test' });
      await users.save(user);
      expect((await users.findById(user.id))?.emailVerified).toBe(false);
      await users.markEmailVerified(user.id);
      expect((await users.findById(user.id))?.emailVerified).toBe(true);
      await expect(users.markEmailVerified('nobody')).resolves.toBeUndefined();
      await expect(users.markEmailVerified('')).resolves.toBeUndefined();
    });

    it('setPasswordHash stores the hash and moves the version on each time', async () => {
      const user = someone();
      await users.save(user);
      expect(await users.setPasswordHash(user.id, 'hash-b')).toBe(2);
      expect(await users.setPasswordHash(user.id, 'hash-b')).toBe(3);
      expect(await users.findById(user.id)).toMatchObject({
        passwordHash: 'hash-b',
        passwordVersion: 3,
      });
      expect(await users.setPasswordHash('nobody', 'hash')).toBeNull();
    });

    it('concurrent password changes each get their own version', async () => {
      const user = someone();
      await users.save(user);
      const versions = await Promise.all(
        Array.from({ length: 10 }, (_, index) => users.setPasswordHash(user.id, `h${index}`)),
      );
      expect([...versions].sort((a, b) => a! - b!)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    });

    it('setRoles replaces the roles; false for an unknown id', async () => {
      const user = someone({ roles: ['user'] });
      await users.save(user);
      expect(await users.setRoles(user.id, ['admin', 'auditor'])).toBe(true);
      expect((await users.findById(user.id))?.roles).toEqual(['admin', 'auditor']);
      expect(await users.setRoles(user.id, [])).toBe(true);
      expect((await users.findById(user.id))?.roles).toEqual([]);
      expect(await users.setRoles('nobody', ['admin'])).toBe(false);
    });

    it('every write moves the version on, whichever query made it', async () => {
      const user = someone();
      await users.save(user);
      const versions = [(await users.findById(user.id))!.version!];
      await users.setRoles(user.id, ['admin']);
      versions.push((await users.findById(user.id))!.version!);
      await users.setState(user.id, 'disabled');
      versions.push((await users.findById(user.id))!.version!);
      await users.setPasswordHash(user.id, '$argon2id$other');
      versions.push((await users.findById(user.id))!.version!);
      expect(new Set(versions).size).toBe(4);
      expect([...versions].sort((a, b) => a - b)).toEqual(versions);
    });

    it('updateProfile changes only the given fields, at the version asked for', async () => {
      const user = someone({ name: 'Before', email: 'before@example.test', roles: ['user'] });
      await users.save(user);
      const { version } = (await users.findById(user.id))!;
      const updated = await users.updateProfile(user.id, { name: 'After' }, version);
      expect(updated).toMatchObject({
        name: 'After',
        email: 'before@example.test',
        roles: ['user'],
      });
      // The version asked for is gone now: nothing changes.
      expect(await users.updateProfile(user.id, { roles: ['admin'] }, version)).toBe(
        'version_mismatch',
      );
      expect((await users.findById(user.id))?.roles).toEqual(['user']);
      const cleared = await users.updateProfile(user.id, { name: null, email: 'NEW@Example.test' });
      expect(cleared).not.toHaveProperty('name');
      expect(cleared).toMatchObject({ email: 'new@example.test' });
      expect(await users.updateProfile('nobody', { name: 'x' })).toBe('not_found');
      const other = someone({ email: 'taken@example.test' });
      await users.save(other);
      await expect(users.updateProfile(user.id, { email: 'taken@example.test' })).rejects.toThrow();
    });

    it('delete removes the row and frees its name; false the second time', async () => {
      const user = someone({ email: 'gone@example.test' });
      await users.save(user);
      expect(await users.delete(user.id)).toBe(true);
      expect(await users.findById(user.id)).toBeNull();
      expect(await users.findByUsername(user.username)).toBeNull();
      expect(await users.delete(user.id)).toBe(false);
      expect(
        await users.createIfAbsent(
          someone({ username: user.username, email: 'gone@example.test' }),
        ),
      ).toBe(true);
    });

    describe('list', () => {
      const prefix = 'zz-list-';
      beforeAll(async () => {
        for (const suffix of ['c', 'a', 'e', 'b', 'd']) {
          await users.save(
            someone({
              username: `${prefix}${suffix}`,
              email: `${suffix}@list.example.test`,
              name: `Lister ${suffix.toUpperCase()}`,
            }),
          );
        }
        await users.save(someone({ username: 'percent%user', name: 'Under_Score' }));
      });

      it('pages through in username order with a cursor, ending with next null', async () => {
        const seen: string[] = [];
        let after: string | null = null;
        for (let pages = 0; pages < 10; pages++) {
          const page: UserPage = await users.list({ search: prefix, limit: 2, after });
          seen.push(...page.users.map((user) => user.username));
          after = page.next;
          if (after === null) break;
        }
        expect(seen).toEqual(['a', 'b', 'c', 'd', 'e'].map((suffix) => `${prefix}${suffix}`));
      });

      it('a page exactly full says no next page when nothing follows', async () => {
        const page = await users.list({ search: prefix, limit: 5 });
        expect(page.users).toHaveLength(5);
        expect(page.next).toBeNull();
      });

      it('searches username, email and name, ignoring case and width', async () => {
        expect((await users.list({ search: 'ZZ-LIST-C' })).users.map((u) => u.username)).toEqual([
          `${prefix}c`,
        ]);
        expect((await users.list({ search: 'd@list.example' })).users).toHaveLength(1);
        expect((await users.list({ search: 'lister e' })).users).toHaveLength(1);
        expect((await users.list({ search: 'ｌｉｓｔｅｒ ｅ' })).users).toHaveLength(1);
      });

      it('treats % and _ in a search as plain characters', async () => {
        expect((await users.list({ search: '%' })).users.map((u) => u.username)).toEqual([
          'percent%user',
        ]);
        expect((await users.list({ search: 'r_s' })).users.map((u) => u.name)).toEqual([
          'Under_Score',
        ]);
        expect((await users.list({ search: 'zz_list' })).users).toEqual([]);
      });

      it('answers an empty page for NUL-carrying or huge input, never an error', async () => {
        expect(await users.list({ search: 'a\u0000b' })).toEqual({ users: [], next: null });
        expect(await users.list({ after: 'x'.repeat(10_000) })).toEqual({ users: [], next: null });
      });

      it('refuses a limit outside 1 to 500 as a caller mistake', async () => {
        for (const limit of [0, -1, 501, 1.5, Number.NaN]) {
          await expect(users.list({ limit })).rejects.toBeInstanceOf(RangeError);
        }
      });
    });
  });
}
