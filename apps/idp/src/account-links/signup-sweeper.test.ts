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

  const gone = (user: { id: string }) => async () => !(await users.findById(user.id));

  it('clears a backlog larger than one sweep in its first run, and keeps what has not expired', async () => {
    const backlog = Array.from({ length: 150 }, expired);
    for (const user of backlog) await users.createIfAbsent(user);
    const fresh = someone({ state: 'pending', signupExpiresAt: new Date(NOW + 60_000) });
    const invited = someone({ state: 'pending' });
    await users.createIfAbsent(fresh);
    await users.createIfAbsent(invited);

    // An interval no test waits for: only the run at start can do this.
    const sweeper = startSignupSweeper({ database: db, logger: silent, now: () => NOW });
    try {
      await waitFor(
        'the whole backlog to go',
        async () => (await Promise.all(backlog.map((u) => users.findById(u.id)))).every((u) => !u),
        { timeoutMs: 10_000 },
      );
      expect(await users.findById(fresh.id)).not.toBeNull();
      expect(await users.findById(invited.id)).not.toBeNull();
    } finally {
      sweeper.stop();
    }
  });

  it('runs again every interval: a sign-up that expires later goes then', async () => {
    let clock = NOW;
    const marker = expired();
    const later = someone({ state: 'pending', signupExpiresAt: new Date(NOW + 1_000) });
    await users.createIfAbsent(marker);
    await users.createIfAbsent(later);
    const sweeper = startSignupSweeper({
      database: db,
      logger: silent,
      now: () => clock,
      intervalMs: 50,
    });
    try {
      await waitFor('the first run', gone(marker), { timeoutMs: 10_000 });
      expect(await users.findById(later.id)).not.toBeNull();
      clock = NOW + 2_000;
      await waitFor('a later run', gone(later), { timeoutMs: 10_000 });
    } finally {
      sweeper.stop();
    }
  });
});
