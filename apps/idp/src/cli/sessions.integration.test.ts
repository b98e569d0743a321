import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestRedis, type TestRedis } from '@latchkey/testing';
import { revocationKeys } from '@latchkey/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../db/migration.js';
import { MIGRATIONS } from '../db/migrations/index.js';
import { openPgliteDatabase } from '../db/pglite-database.js';
import { createSessionRepository } from '../sessions/session.js';
import { createStore } from '../store/create-store.js';
import type { Store } from '../store/store.js';
import { runSessionsCommand } from '../test-support/idp-process.js';
import { createUserRepository } from '../users/user.js';

/**
 * The operator's `sessions` command, built from dist/, on a private redis-server; it finds
 * users in an embedded PostgreSQL folder, written here first (one process at a time).
 */
const USERNAMES = ['lister', 'revoker', 'everywhere'];
let redis: TestRedis;
let store: Store;
let folder: string;
beforeAll(async () => {
  redis = await startTestRedis();
  store = createStore(redis.url);
  folder = await mkdtemp(join(tmpdir(), 'latchkey-sessions-db-'));
  const database = await openPgliteDatabase(folder);
  await migrate(database, MIGRATIONS);
  const users = createUserRepository(database);
  for (const username of USERNAMES) {
    await users.save({ id: `id-${username}`, username, passwordHash: 'unused', roles: ['user'] });
  }
  await database.close();
}, 60_000);
afterAll(async () => {
  await store?.close();
  await redis?.kill();
  if (folder) await rm(folder, { recursive: true, force: true });
});

const sessions = () =>
  createSessionRepository(store, { idleTtlMs: 3_600_000, maxTtlMs: 43_200_000 });
const run = (...args: string[]) =>
  runSessionsCommand(args, { REDIS_URL: redis.url, DATABASE_URL: `pglite://${folder}` });

async function userWithSessions(username: string, count: number) {
  const made = [];
  for (let i = 0; i < count; i++) {
    made.push(await sessions().create({ sub: `id-${username}`, username }, Date.now()));
  }
  return made;
}

// Each command is a process that opens the embedded folder (seconds on a loaded machine); one
// still running when its test timed out would hold the folder's lock and fail the next test.
describe('sessions <list USER | revoke SID | revoke-user USER>', { timeout: 30_000 }, () => {
  it('list USER prints each live session: sid, created, last seen, expires, auth_time', async () => {
    const [a, b] = await userWithSessions('lister', 2);
    const result = await run('list', 'Lister');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^SID\s+CREATED\s+LAST SEEN\s+EXPIRES\s+AUTH TIME/);
    expect(result.stdout).toContain(a!.sid);
    expect(result.stdout).toContain(b!.sid);
    expect(result.stdout).toContain(new Date(a!.expiresAt).toISOString());
  });

  it('revoke SID ends that session and records the revocation for every SDK', async () => {
    const [keep, end] = await userWithSessions('revoker', 2);
    const result = await run('revoke', end!.sid);
    expect(result.code).toBe(0);
    expect(await sessions().find(end!.sid, Date.now())).toBeNull();
    expect(await sessions().find(keep!.sid, Date.now())).not.toBeNull();
    expect((await store.setMembers(revocationKeys.set)).has(`sid:${end!.sid}`)).toBe(true);
  });

  it('revoke SID of an unknown session → exit code 1 and a clear message', async () => {
    const result = await run('revoke', 'no-such-session');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no live session with that id');
  });

  it('revoke-user USER ends every session of the user', async () => {
    const made = await userWithSessions('everywhere', 3);
    const result = await run('revoke-user', 'everywhere');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('revoked 3 session(s)');
    for (const session of made) expect(await sessions().find(session.sid, Date.now())).toBeNull();
    expect((await run('list', 'everywhere')).stdout).toContain('no live sessions');
  });

  it('an unknown user → exit 1; bad usage → exit 2; memory:// or pglite://memory → exit 2', async () => {
    const unknown = await run('list', 'nobody-here');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no user named');
    expect((await run('list')).code).toBe(2);
    expect((await run('wipe', 'x')).code).toBe(2);
    const memory = await runSessionsCommand(['list', 'x'], { REDIS_URL: 'memory://' });
    expect(memory.code).toBe(2);
    // A directory inside one process cannot be the IdP's: refused before anything is read.
    const ownDirectory = await runSessionsCommand(['list', 'x'], {
      REDIS_URL: redis.url,
      DATABASE_URL: 'pglite://memory',
    });
    expect(ownDirectory.code).toBe(2);
  });
});
