import { waitFor } from '@latchkey/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import { newUserFactory } from '../test-support/new-users.js';
import { freshTestDatabase } from '../test-support/test-database.js';
import { createUserRepository, type UserRepository } from '../users/user.js';
import { startSignupSweeper } from './expired-signups.js';

const NOW = new Date('2031-06-01T00:00:00Z').getTime();
const silent = { info: () => {}, warn: () => {} };

let db: Database;
let users: UserRepository;
beforeAll(async () => {
  db = await freshTestDatabase();
  users = createUserRepository(db);
}, 60_000);
afterAll(async () => {
  await db?.close();
});

describe('the sign-up sweeper (expired pending sign-ups go without waiting for a sign-up)', () => {
  const someone = newUserFactory('sweep', 'sweepable');
  const expired = () => someone({ state: 'pending', signupExpiresAt: new Date(NOW - 1_000) });

  it('clears a backlog larger than one sweep, keeps what has not expired, and runs again', async () => {
    const backlog = Array.from({ length: 150 }, expired);
    for (const user of backlog) await users.createIfAbsent(user);
    const fresh = someone({ state: 'pending', signupExpiresAt: new Date(NOW + 60_000) });
    const invited = someone({ state: 'pending' });
    await users.createIfAbsent(fresh);
    await users.createIfAbsent(invited);

    const sweeper = startSignupSweeper({
      database: db,
      logger: silent,
      now: () => NOW,
      intervalMs: 50,
    });
    try {
      await waitFor(
        'the whole backlog to go',
        async () => (await Promise.all(backlog.map((u) => users.findById(u.id)))).every((u) => !u),
        { timeoutMs: 10_000 },
      );
      expect(await users.findById(fresh.id)).not.toBeNull();
      expect(await users.findById(invited.id)).not.toBeNull();

      const later = expired();
      await users.createIfAbsent(later);
      await waitFor(
        'a later expired sign-up to go',
        async () => !(await users.findById(later.id)),
        {
          timeoutMs: 10_000,
        },
      );
    } finally {
      sweeper.stop();
    }
  });
});
