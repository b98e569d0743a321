import { randomBytes } from 'node:crypto';
import { findTestPostgres } from '@latchkey/testing';
import { afterAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import { digestToken } from '../tokens/opaque-token.js';
import { freshTestDatabase, serverTestDatabases } from '../test-support/test-database.js';
import { createUserRepository, type User, type UserRepository } from '../users/user.js';
import {
  CLAIM_LEASE_MS,
  createAccountLinks,
  LINK_TTL_MS,
  type AccountLinks,
} from './account-links.js';

/**
 * The link rules on both databases the IdP runs on: the embedded PGlite and a real PostgreSQL
 * server, where twenty claims really race on separate connections.
 */
const server = await findTestPostgres();
const onServer = serverTestDatabases(server);
const opened: Database[] = [];
afterAll(async () => {
  for (const db of opened) await db.close();
  await onServer.dropAll();
});

const databases: Array<[string, () => Promise<Database>]> = [
  ['PGlite', () => freshTestDatabase()],
  ['the PostgreSQL server', () => onServer.create()],
];

describe.each(databases)('account links on %s', { timeout: 60_000 }, (name, open) => {
  const skip = name !== 'PGlite' && !server.available;
  let clock = Date.now();
  let users: UserRepository;
  let links: AccountLinks;
  let ready: Promise<void> | undefined;
  const setUp = () =>
    (ready ??= (async () => {
      const db = await open();
      opened.push(db);
      users = createUserRepository(db);
      links = createAccountLinks({ database: db, users, now: () => clock });
    })());

  async function user(state: User['state'] = 'active'): Promise<User> {
    await setUp();
    const id = `u_${randomBytes(6).toString('hex')}`;
    await users.save({
      id,
      username: id,
      email: `${id}@example.com`,
      passwordHash: 'x',
      roles: [],
      state,
    });
    return (await users.findById(id))!;
  }

  it.skipIf(skip)('stores only the digest; the token is 256 random bits', async () => {
    const someone = await user();
    const token = await links.issue(someone, 'reset');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await links.inspect(token))?.user.id).toBe(someone.id);
    const rows = await opened
      .at(-1)!
      .query<Record<string, unknown>>('SELECT * FROM account_links WHERE user_id = $1', [
        someone.id,
      ]);
    expect(rows[0]!.token_digest).toBe(digestToken(token));
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it.skipIf(skip)('twenty concurrent claims: exactly one wins', async () => {
    const someone = await user();
    const token = await links.issue(someone, 'reset');
    const claims = await Promise.all(Array.from({ length: 20 }, () => links.claim(token)));
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  it.skipIf(skip)(
    'a lease ends: a claim neither spent nor released frees the link again',
    async () => {
      const someone = await user();
      const token = await links.issue(someone, 'reset');
      expect(await links.claim(token)).not.toBeNull();
      expect(await links.claim(token)).toBeNull();
      clock += CLAIM_LEASE_MS + 1;
      const again = await links.claim(token);
      expect(again).not.toBeNull();
      await again!.spend();
      expect(await links.inspect(token)).toBeNull();
    },
  );

  it.skipIf(skip)('expires after 30 minutes', async () => {
    const someone = await user();
    const token = await links.issue(someone, 'reset');
    clock += LINK_TTL_MS - 1;
    expect(await links.inspect(token)).not.toBeNull();
    clock += 2;
    expect(await links.inspect(token)).toBeNull();
    expect(await links.claim(token)).toBeNull();
  });

  it.skipIf(skip)('a newer link, a password change, disabling: each ends it', async () => {
    const someone = await user();
    const older = await links.issue(someone, 'reset');
    const newer = await links.issue(someone, 'reset');
    expect(await links.inspect(older)).toBeNull();
    expect(await links.inspect(newer)).not.toBeNull();
    await users.save({ ...someone, passwordHash: 'changed' });
    expect(await links.claim(newer)).toBeNull();

    const other = await user();
    const token = await links.issue(other, 'reset');
    await users.save({ ...other, state: 'disabled' });
    expect(await links.inspect(token)).toBeNull();
    await users.save({ ...other, state: 'active' });
    expect(await links.inspect(token)).toBeNull();
  });

  it.skipIf(skip)('a verification link works for a pending user only', async () => {
    const pending = await user('pending');
    const token = await links.issue(pending, 'verify');
    expect((await links.inspect(token))?.purpose).toBe('verify');
    await users.save({ ...pending, state: 'active' });
    expect(await links.inspect(token)).toBeNull();
  });

  it.skipIf(skip)('malformed tokens never reach the database', async () => {
    await setUp();
    for (const bad of ['', 'short', 'x'.repeat(44), '\u0000'.repeat(43), 'é'.repeat(43)]) {
      expect(await links.inspect(bad)).toBeNull();
      expect(await links.claim(bad)).toBeNull();
    }
  });
});

it.runIf(!server.available)('says why the server half was skipped', () => {
  expect(server.available).toBe(false);
});
