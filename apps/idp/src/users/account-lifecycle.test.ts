import { revocationKeys } from '@latchkey/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import { silentLogger } from '../logger.js';
import { createRevoker } from '../sessions/revoker.js';
import { createSessionRepository, type SessionRepository } from '../sessions/session.js';
import { createMemoryStore } from '../store/memory-store.js';
import type { Store } from '../store/store.js';
import { freshTestDatabase } from '../test-support/test-database.js';
import { createAccountLifecycle, type AccountLifecycle } from './account-lifecycle.js';
import { verifyPassword } from './password-hash.js';
import { createUserRepository, type User, type UserRepository } from './user.js';

/**
 * The lifecycle on the real directory (PGlite), the real revoker and the memory store: what
 * each change leaves in the directory and in the store. Over HTTP, with Redis and the SDK:
 * account-lifecycle.integration.test.ts.
 */
const PASSWORD = 'a perfectly fine passphrase';

let db: Database;
let users: UserRepository;
let store: Store;
let sessions: SessionRepository;
let accounts: AccountLifecycle;
let notified: User[];
let noticeFailures: unknown[];
let notifierFails: boolean;

beforeAll(async () => {
  db = await freshTestDatabase();
  users = createUserRepository(db);
}, 60_000);
afterAll(async () => {
  await db?.close();
});
beforeEach(() => {
  store = createMemoryStore();
  sessions = createSessionRepository(store, { idleTtlMs: 3_600_000, maxTtlMs: 43_200_000 });
  const revoker = createRevoker({
    store,
    sessions,
    logger: silentLogger,
    now: Date.now,
    retentionMs: 600_000,
  });
  notified = [];
  noticeFailures = [];
  notifierFails = false;
  accounts = createAccountLifecycle({
    users,
    sessions: revoker,
    notifier: {
      passwordChanged(user) {
        if (notifierFails) throw new Error('smtp down');
        notified.push(user);
      },
    },
    reportNoticeFailure: (error) => noticeFailures.push(error),
  });
});

let serial = 0;
const fresh = (prefix = 'member') => `${prefix}${++serial}`;
const signedIn = (user: User) =>
  sessions.create({ sub: user.id, username: user.username }, Date.now());
const revokedMembers = async () => [...(await store.setMembers(revocationKeys.set)).keys()];

describe('add', () => {
  it('stores a normalised, active user whose password verifies, with a random opaque id', async () => {
    const name = fresh('Carla');
    const user = await accounts.add({
      username: ` ${name} `,
      email: `${name}@Example.TEST`,
      name: 'Carla Example',
      roles: ['user', 'user', 'auditor'],
      password: PASSWORD,
    });
    expect(user).toMatchObject({
      username: name.toLowerCase(),
      email: `${name.toLowerCase()}@example.test`,
      name: 'Carla Example',
      roles: ['user', 'auditor'],
      state: 'active',
      passwordVersion: 1,
    });
    expect(user.id).toMatch(/^u_[A-Za-z0-9_-]{22}$/);
    expect(await verifyPassword(user.passwordHash, PASSWORD)).toBe(true);
    expect(await verifyPassword(user.passwordHash, `${PASSWORD}!`)).toBe(false);
  });

  it('hashes and verifies after NFKC: a full-width password matches its ASCII twin', async () => {
    const user = await accounts.add({
      username: fresh(),
      roles: [],
      password: 'ｗｉｄｅ ｐａｓｓｐｈｒａｓｅ ４２',
    });
    expect(await verifyPassword(user.passwordHash, 'wide passphrase 42')).toBe(true);
  });

  it('without a password, no password logs in, yet the hash is a real Argon2id one', async () => {
    const user = await accounts.add({ username: fresh(), roles: [] });
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(user.passwordHash, '')).toBe(false);
    expect(await verifyPassword(user.passwordHash, PASSWORD)).toBe(false);
  });

  it.each(['DUPE', 'dupe ', 'ｄｕｐｅ'])(
    'refuses %j when "dupe" exists: ERR_USERNAME_TAKEN',
    async (spelling) => {
      if (!(await users.findByUsername('dupe'))) {
        await accounts.add({ username: 'dupe', roles: [] });
      }
      await expect(accounts.add({ username: spelling, roles: [] })).rejects.toMatchObject({
        code: 'ERR_USERNAME_TAKEN',
      });
    },
  );

  it('refuses an email another user holds, in any spelling: ERR_EMAIL_TAKEN', async () => {
    await accounts.add({ username: fresh(), email: 'shared@example.test', roles: [] });
    const other = fresh();
    await expect(
      accounts.add({ username: other, email: ' SHARED@example.test', roles: [] }),
    ).rejects.toMatchObject({ code: 'ERR_EMAIL_TAKEN' });
    expect(await users.findByUsername(other)).toBeNull();
  });

  it.each([
    ['', 'username'],
    ['has space', 'username'],
    ['x'.repeat(65), 'username'],
    ['nul\u0000name', 'username'],
  ])('refuses the username %j: ERR_INVALID_ACCOUNT_INPUT', async (username, field) => {
    await expect(accounts.add({ username, roles: [] })).rejects.toMatchObject({
      code: 'ERR_INVALID_ACCOUNT_INPUT',
      field,
    });
  });

  it('refuses a malformed or 10 KB email, a control character in the name, a bad role', async () => {
    const username = fresh();
    for (const email of [
      'not-an-email',
      'a b@example.test',
      `${'x'.repeat(10_000)}@example.test`,
    ]) {
      await expect(accounts.add({ username, email, roles: [] })).rejects.toMatchObject({
        field: 'email',
      });
    }
    await expect(accounts.add({ username, name: 'bad\nname', roles: [] })).rejects.toMatchObject({
      field: 'name',
    });
    for (const roles of [['has space'], [''], Array.from({ length: 33 }, (_, i) => `r${i}`)]) {
      await expect(accounts.add({ username, roles })).rejects.toMatchObject({ field: 'roles' });
    }
    expect(await users.findByUsername(username)).toBeNull();
  });

  it.each([
    ['', 'too_short'],
    ['seven77', 'too_short'],
    ['x'.repeat(129), 'too_long'],
    ['y'.repeat(100_000), 'too_long'],
    ['nul\u0000in the middle', 'invalid_characters'],
    ['lone \uD800 surrogate', 'invalid_characters'],
    ['password', 'common'],
  ])(
    'refuses the password %#: ERR_PASSWORD_REFUSED (%s), storing nothing',
    async (password, problem) => {
      const username = fresh();
      await expect(accounts.add({ username, roles: [], password })).rejects.toMatchObject({
        code: 'ERR_PASSWORD_REFUSED',
        problem,
      });
      expect(await users.findByUsername(username)).toBeNull();
    },
  );

  it('refuses a password containing the username', async () => {
    await expect(
      accounts.add({ username: 'gretchen', roles: [], password: 'I am Gretchen, hello' }),
    ).rejects.toMatchObject({ problem: 'contains_username' });
  });
});

describe('disable, enable, remove', () => {
  it('disable marks the user disabled and revokes every session and every token until now', async () => {
    const user = await accounts.add({ username: fresh(), roles: [], password: PASSWORD });
    const live = [await signedIn(user), await signedIn(user)];
    await accounts.disable(user.id);
    expect((await users.findById(user.id))?.state).toBe('disabled');
    for (const session of live) expect(await sessions.find(session.sid, Date.now())).toBeNull();
    const members = await revokedMembers();
    for (const session of live) expect(members).toContain(`sid:${session.sid}`);
    expect(members.some((member) => member.endsWith(`:${user.id}`))).toBe(true);
  });

  it('enable makes a disabled user active again (no session comes back)', async () => {
    const user = await accounts.add({ username: fresh(), roles: [], password: PASSWORD });
    await accounts.disable(user.id);
    await accounts.enable(user.id);
    expect((await users.findById(user.id))?.state).toBe('active');
    expect(await sessions.listForUser(user.id, Date.now())).toEqual([]);
  });

  it('remove revokes every session, then deletes the row and frees the name', async () => {
    const user = await accounts.add({ username: fresh(), roles: [], password: PASSWORD });
    const session = await signedIn(user);
    await accounts.remove(user.id);
    expect(await users.findById(user.id)).toBeNull();
    expect(await sessions.find(session.sid, Date.now())).toBeNull();
    expect(await revokedMembers()).toContain(`sid:${session.sid}`);
    await expect(accounts.add({ username: user.username, roles: [] })).resolves.toBeDefined();
  });

  it.each(['disable', 'enable', 'remove'] as const)(
    '%s of an unknown, empty or NUL-carrying id: ERR_USER_NOT_FOUND',
    async (action) => {
      for (const id of ['no-such-user', '', 'a\u0000b']) {
        await expect(accounts[action](id)).rejects.toMatchObject({ code: 'ERR_USER_NOT_FOUND' });
      }
    },
  );
});

describe('setPassword', () => {
  it('stores the new hash, moves the version on, revokes every session, notifies', async () => {
    const user = await accounts.add({ username: fresh(), roles: [], password: PASSWORD });
    const live = [await signedIn(user), await signedIn(user)];
    await accounts.setPassword(user.id, 'another fine passphrase');
    const after = (await users.findById(user.id))!;
    expect(after.passwordVersion).toBe(2);
    expect(await verifyPassword(after.passwordHash, 'another fine passphrase')).toBe(true);
    expect(await verifyPassword(after.passwordHash, PASSWORD)).toBe(false);
    for (const session of live) expect(await sessions.find(session.sid, Date.now())).toBeNull();
    expect((await revokedMembers()).some((member) => member.endsWith(`:${user.id}`))).toBe(true);
    expect(notified).toHaveLength(1);
    expect(notified[0]).toMatchObject({ id: user.id, passwordVersion: 2 });
  });

  it('keepSid keeps that session and revokes the others, with no per-user "not before"', async () => {
    const user = await accounts.add({ username: fresh(), roles: [], password: PASSWORD });
    const [kept, other] = [await signedIn(user), await signedIn(user)];
    await accounts.setPassword(user.id, 'another fine passphrase', { keepSid: kept.sid });
    expect(await sessions.find(kept.sid, Date.now())).not.toBeNull();
    expect(await sessions.find(other.sid, Date.now())).toBeNull();
    const members = await revokedMembers();
    expect(members).toContain(`sid:${other.sid}`);
    expect(members).not.toContain(`sid:${kept.sid}`);
    // A subject revocation would also end the kept session's tokens.
    expect(members.some((member) => member.endsWith(`:${user.id}`))).toBe(false);
  });

  it('a refused password changes nothing: same version, sessions alive, no notice', async () => {
    const user = await accounts.add({ username: fresh(), roles: [], password: PASSWORD });
    const session = await signedIn(user);
    for (const password of [
      'short',
      'z'.repeat(129),
      'bad\u0000byte',
      '\uDC00lone',
      user.username + '-and-more',
    ]) {
      await expect(accounts.setPassword(user.id, password)).rejects.toMatchObject({
        code: 'ERR_PASSWORD_REFUSED',
      });
    }
    expect((await users.findById(user.id))?.passwordVersion).toBe(1);
    expect(await sessions.find(session.sid, Date.now())).not.toBeNull();
    expect(notified).toEqual([]);
  });

  it('refuses a disabled account (no reset for the disabled) unless an operator allows it', async () => {
    const user = await accounts.add({ username: fresh(), roles: [], password: PASSWORD });
    await accounts.disable(user.id);
    await expect(accounts.setPassword(user.id, 'another fine passphrase')).rejects.toMatchObject({
      code: 'ERR_ACCOUNT_DISABLED',
    });
    expect((await users.findById(user.id))?.passwordVersion).toBe(1);
    await accounts.setPassword(user.id, 'another fine passphrase', { allowDisabled: true });
    expect(await users.findById(user.id)).toMatchObject({ passwordVersion: 2, state: 'disabled' });
  });

  it('a notifier that throws is reported; the change stands', async () => {
    const user = await accounts.add({ username: fresh(), roles: [], password: PASSWORD });
    notifierFails = true;
    await accounts.setPassword(user.id, 'another fine passphrase');
    expect((await users.findById(user.id))?.passwordVersion).toBe(2);
    expect(noticeFailures).toHaveLength(1);
  });

  it('of an unknown user: ERR_USER_NOT_FOUND', async () => {
    await expect(accounts.setPassword('no-such-user', PASSWORD)).rejects.toMatchObject({
      code: 'ERR_USER_NOT_FOUND',
    });
  });
});

describe('setRoles', () => {
  it('replaces the roles (deduplicated); refuses bad ones; unknown user: not found', async () => {
    const user = await accounts.add({ username: fresh(), roles: ['user'] });
    await accounts.setRoles(user.id, ['admin', 'admin', 'ops']);
    expect((await users.findById(user.id))?.roles).toEqual(['admin', 'ops']);
    await expect(accounts.setRoles(user.id, ['no spaces'])).rejects.toMatchObject({
      field: 'roles',
    });
    await expect(accounts.setRoles('no-such-user', ['admin'])).rejects.toMatchObject({
      code: 'ERR_USER_NOT_FOUND',
    });
  });
});
