import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import { newUserFactory } from '../test-support/new-users.js';
import { deleteExpiredSignups } from './user-queries.js';
import { createUserRepository, type UserRepository } from './user.js';

/**
 * How a user's life ends, on every backend (PGlite and a PostgreSQL server run the same SQL):
 * an operator's deletion is remembered against the USERS_FILE import, and a self sign-up left
 * pending past its lifetime is swept. A database of its own per backend.
 */
export function userDeletionContract(name: string, open: () => Promise<Database>): void {
  describe(`user deletion and expiry contract: ${name}`, () => {
    let db: Database;
    let users: UserRepository;
    beforeAll(async () => {
      db = await open();
      users = createUserRepository(db);
    }, 60_000);
    afterAll(async () => {
      await db?.close();
    });

    const someone = newUserFactory('d', 'deletable');

    it('a never-deleted seed user is created on first import, then left alone', async () => {
      const seed = someone({ email: 'seed-import@example.test' });
      expect(await users.importSeed!(seed)).toBe('created');
      expect(await users.importSeed!({ ...seed, roles: [] })).toBe('exists');
      expect((await users.findById(seed.id))?.roles).toEqual(['user']);
    });

    it('a deleted user stays deleted for the import, by id and by any spelling of the name', async () => {
      const seed = someone();
      expect(await users.importSeed!(seed)).toBe('created');
      expect(await users.delete(seed.id)).toBe(true);
      expect(await users.importSeed!(seed)).toBe('kept_deleted');
      // The same person listed under another id, or with the name spelt otherwise.
      expect(await users.importSeed!({ ...seed, id: `${seed.id}-renamed` })).toBe('kept_deleted');
      expect(
        await users.importSeed!({ ...seed, id: 'x', username: ` ${seed.username.toUpperCase()}` }),
      ).toBe('kept_deleted');
      expect(await users.findByUsername(seed.username)).toBeNull();
    });

    it('an operator creating the user again (forgetDeletion) takes the deletion back', async () => {
      const seed = someone();
      await users.importSeed!(seed);
      await users.delete(seed.id);
      const again = { ...seed, id: `${seed.id}-new` };
      expect(await users.createIfAbsent(again, { forgetDeletion: true })).toBe(true);
      await users.delete(again.id);
      // Deleted again: remembered again, under both ids.
      expect(await users.importSeed!(seed)).toBe('kept_deleted');
      expect(await users.createIfAbsent(seed, { forgetDeletion: true })).toBe(true);
      await users.delete(seed.id);
      expect(await users.createIfAbsent(seed, { forgetDeletion: true })).toBe(true);
      // Nothing of the deletion is left: the import finds the user there, not deleted.
      await users.delete(seed.id);
      await users.createIfAbsent(seed, { forgetDeletion: true });
      expect(await users.importSeed!(seed)).toBe('exists');
      const rows = await db.query<{ id: string }>(
        'SELECT id FROM deleted_users WHERE id = ANY($1)',
        [[seed.id, again.id]],
      );
      expect(rows).toEqual([]);
    });

    it('keeps a digest of the deleted name, never the name', async () => {
      const seed = someone({ username: 'private-name@example.test' });
      await users.importSeed!(seed);
      await users.delete(seed.id);
      const rows = await db.query<Record<string, unknown>>(
        'SELECT * FROM deleted_users WHERE id = $1',
        [seed.id],
      );
      expect(rows).toHaveLength(1);
      expect(JSON.stringify(rows)).not.toContain('private-');
      expect(rows[0]!.username_sha256).toMatch(/^[0-9a-f]{64}$/);
    });

    it('a self sign-up (no forgetDeletion) never undoes an operator deletion', async () => {
      const seed = someone();
      await users.importSeed!(seed);
      await users.delete(seed.id);
      const stranger = someone({ username: seed.username, state: 'pending' });
      expect(await users.createIfAbsent(stranger)).toBe(true);
      await db.query('DELETE FROM users WHERE id = $1', [stranger.id]);
      expect(await users.importSeed!(seed)).toBe('kept_deleted');
    });

    it('sweeps pending sign-ups past their lifetime, and nothing else', async () => {
      const now = new Date('2030-01-01T12:00:00Z');
      const before = new Date(now.getTime() - 1);
      const after = new Date(now.getTime() + 60_000);
      const stale = someone({ state: 'pending', signupExpiresAt: before, email: 's@x.test' });
      const fresh = someone({ state: 'pending', signupExpiresAt: after });
      const invited = someone({ state: 'pending' });
      const verified = someone({ signupExpiresAt: before });
      for (const user of [stale, fresh, invited, verified]) await users.createIfAbsent(user);
      const gone = await deleteExpiredSignups(db, now, 100);
      expect(gone).toContain(stale.id);
      for (const kept of [fresh, invited, verified]) expect(gone).not.toContain(kept.id);
      expect(await users.findById(stale.id)).toBeNull();
      expect(await users.findByEmail('s@x.test')).toBeNull();
      expect(await users.findById(fresh.id)).not.toBeNull();
      // Not an operator's deletion: the name is free for the USERS_FILE import as for anyone.
      expect(await users.importSeed!({ ...stale, state: 'active' })).toBe('created');
    });

    it('one sweep deletes at most its limit', async () => {
      const now = new Date('2031-01-01T00:00:00Z');
      const old = new Date(now.getTime() - 1_000);
      for (let index = 0; index < 3; index += 1) {
        await users.createIfAbsent(someone({ state: 'pending', signupExpiresAt: old }));
      }
      expect(await deleteExpiredSignups(db, now, 2)).toHaveLength(2);
      expect((await deleteExpiredSignups(db, now, 2)).length).toBeGreaterThanOrEqual(1);
      expect(await deleteExpiredSignups(db, now, 2)).toEqual([]);
    });
  });
}
