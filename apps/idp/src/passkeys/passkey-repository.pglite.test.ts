import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import { freshTestDatabase } from '../test-support/test-database.js';
import { createUserRepository } from '../users/user.js';
import { createPasskeyRepository, type NewPasskey } from './passkey-repository.js';

let db: Database;
beforeAll(async () => {
  db = await freshTestDatabase();
  const users = createUserRepository(db);
  for (const id of ['u1', 'u2']) {
    await users.save({ id, username: id, passwordHash: 'x', roles: [] });
  }
});
afterAll(() => db.close());

const passkey = (credentialId: string, userId = 'u1'): NewPasskey => ({
  credentialId,
  userId,
  publicKey: 'cHVibGlj',
  counter: 0,
  transports: ['internal', 'hybrid'],
  backupEligible: true,
  backedUp: false,
  name: 'Phone',
  createdAt: new Date('2026-12-01T10:00:00Z'),
});

describe('passkey repository (PGlite)', () => {
  it('keeps several passkeys per user, each credential id once across every user', async () => {
    const repository = createPasskeyRepository(db);
    expect(await repository.add(passkey('cred-a'))).toBe(true);
    expect(await repository.add(passkey('cred-b'))).toBe(true);
    expect(await repository.add(passkey('cred-a', 'u2'))).toBe(false);
    const list = await repository.listOfUser('u1');
    expect(list.map((p) => p.credentialId)).toEqual(['cred-a', 'cred-b']);
    expect(list[0]).toMatchObject({ transports: ['internal', 'hybrid'], lastUsedAt: null });
    expect(await repository.count('u2')).toBe(0);
  });

  it('records a use once per counter value: a stale counter loses the race', async () => {
    const repository = createPasskeyRepository(db);
    await repository.add({ ...passkey('cred-c'), counter: 5 });
    const seen = (await repository.find('cred-c'))!;
    const at = new Date('2026-12-02T10:00:00Z');
    expect(await repository.recordUse(seen, { counter: 6, backedUp: true, at })).toBe(true);
    expect(await repository.recordUse(seen, { counter: 7, backedUp: true, at })).toBe(false);
    expect(await repository.find('cred-c')).toMatchObject({
      counter: 6,
      backedUp: true,
      lastUsedAt: at,
    });
  });

  it('renames and removes only the user’s own passkeys', async () => {
    const repository = createPasskeyRepository(db);
    await repository.add(passkey('cred-d'));
    expect(await repository.rename('u2', 'cred-d', 'Stolen')).toBe(false);
    expect(await repository.remove('u2', 'cred-d')).toBe(false);
    expect(await repository.rename('u1', 'cred-d', 'Laptop')).toBe(true);
    expect((await repository.find('cred-d'))?.name).toBe('Laptop');
    expect(await repository.remove('u1', 'cred-d')).toBe(true);
    expect(await repository.find('cred-d')).toBeNull();
  });

  it('gives each user one opaque, random WebAuthn handle', async () => {
    const repository = createPasskeyRepository(db);
    expect(await repository.findUserHandle('u2')).toBeNull();
    const [first, again] = await Promise.all([
      repository.userHandle('u2'),
      repository.userHandle('u2'),
    ]);
    expect(first).toBe(again);
    expect(Buffer.from(first, 'base64url')).toHaveLength(32);
    expect(await repository.userHandle('u1')).not.toBe(first);
  });

  it('removes every passkey of a user (users reset-mfa), and they go with the user', async () => {
    const repository = createPasskeyRepository(db);
    await repository.add(passkey('cred-e', 'u2'));
    await repository.add(passkey('cred-f', 'u2'));
    expect(await repository.removeAllOfUser('u2')).toBe(2);
    expect(await repository.count('u2')).toBe(0);
    await repository.add(passkey('cred-g', 'u2'));
    await createUserRepository(db).delete('u2');
    expect(await repository.find('cred-g')).toBeNull();
  });
});
