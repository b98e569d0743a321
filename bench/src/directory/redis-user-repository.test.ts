import { createStore } from '@latchkey/idp/dist/store/create-store.js';
import type { Store } from '@latchkey/idp/dist/store/store.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRedisUserRepository } from './redis-user-repository.js';

/**
 * The baseline of case 9 must find users as the IdP's directory does, or its logins would
 * fail (the case stops) or, worse, take another path. The store's memory adapter passes the
 * same contract as Redis (store.contract.ts), so this runs without a server.
 */
let store: Store;
beforeEach(() => {
  store = createStore('memory://');
});
afterEach(() => store.close());

const alice = {
  id: 'u-1',
  username: 'Alice',
  passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
  roles: ['admin'],
  email: 'Alice@Example.com',
};

describe('the bench-only Redis user repository', () => {
  it('finds a user by id, by any spelling of the username, and by email', async () => {
    const users = createRedisUserRepository(store);
    expect(await users.createIfAbsent(alice)).toBe(true);
    const byId = await users.findById('u-1');
    expect(byId).toMatchObject({ id: 'u-1', username: 'alice', state: 'active' });
    expect(byId?.createdAt).toBeInstanceOf(Date);
    for (const spelling of ['alice', 'ALICE', 'alice ', 'ａｌｉｃｅ']) {
      expect((await users.findByUsername(spelling))?.id).toBe('u-1');
    }
    expect((await users.findByEmail('alice@example.com'))?.id).toBe('u-1');
    expect(await users.findByUsername('bob')).toBeNull();
  });

  it('creates a user only once', async () => {
    const users = createRedisUserRepository(store);
    expect(await users.createIfAbsent(alice)).toBe(true);
    expect(await users.createIfAbsent({ ...alice, roles: [] })).toBe(false);
    expect((await users.findById('u-1'))?.roles).toEqual(['admin']);
  });
});

describe('the bench-only Redis user repository, account changes', () => {
  it('changes state, roles and password, and deletes with the indexes', async () => {
    const users = createRedisUserRepository(store);
    await users.createIfAbsent(alice);
    expect(await users.setState('u-1', 'disabled')).toBe(true);
    expect(await users.setRoles('u-1', ['user'])).toBe(true);
    expect(await users.setPasswordHash('u-1', alice.passwordHash)).toBe(2);
    expect(await users.findByUsername('alice')).toMatchObject({
      state: 'disabled',
      roles: ['user'],
      passwordVersion: 2,
    });
    expect(await users.delete('u-1')).toBe(true);
    expect(await users.findByUsername('alice')).toBeNull();
    expect(await users.findByEmail('alice@example.com')).toBeNull();
    expect(await users.setState('u-1', 'active')).toBe(false);
    expect(await users.setPasswordHash('u-1', alice.passwordHash)).toBeNull();
  });
});
