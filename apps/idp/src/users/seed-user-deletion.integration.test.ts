import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import type { LogFields, Logger } from '../logger.js';
import { admin, opsToken } from '../test-support/admin-api.js';
import { freshTestDatabase } from '../test-support/test-database.js';
import { startTestIdp, type TestIdp } from '../test-support/test-idp.js';
import { deriveUserId } from './load-users.js';

/**
 * USERS_FILE is imported at every start. A seed user an operator deleted (admin API) must not
 * come back at the next one with the file's password; the start says so, naming them; an
 * operator who adds them again explicitly gets them back. A "restart" is a new IdP on the same
 * database: a new repository, the import run again.
 */
let folder: string;
let usersFile: string;
let database: Database;
const idps: TestIdp[] = [];

interface Line {
  event: string;
  fields: LogFields | undefined;
}

function recordingLogger(lines: Line[]): Logger {
  const record = (event: string, fields?: LogFields) => lines.push({ event, fields });
  return { debug: record, info: record, warn: record, error: record, isEnabled: () => true };
}

async function start(): Promise<{ idp: TestIdp; warnings: Line[] }> {
  const lines: Line[] = [];
  const warnings: Line[] = [];
  const logger = recordingLogger(lines);
  const idp = await startTestIdp({ USERS_FILE: usersFile }, undefined, {
    database,
    logger: { ...logger, warn: (event, fields) => warnings.push({ event, fields }) },
  });
  idps.push(idp);
  return { idp, warnings };
}

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'latchkey-seed-'));
  usersFile = join(folder, 'users.json');
  await writeFile(
    usersFile,
    JSON.stringify([
      { username: 'alice', password: 'wonderland-alice', roles: ['admin'] },
      { username: 'carol', password: 'carol-seed-password', roles: ['user'] },
      { username: 'dave', password: 'dave-seed-password', roles: ['user'] },
    ]),
  );
  const own = await freshTestDatabase();
  // Every "restart" reopens this one database; the last close below really closes it.
  database = { ...own, close: () => Promise.resolve() };
  afterAll(() => own.close());
}, 60_000);

afterAll(async () => {
  for (const idp of idps) await idp.close();
  await rm(folder, { recursive: true, force: true });
});

const fileWarnings = (warnings: Line[]) =>
  warnings.filter((line) => line.event === 'users.file_entry_ignored');

describe('USERS_FILE and operator deletions', { timeout: 60_000 }, () => {
  it('a never-deleted seed user is created on first start, without a warning', async () => {
    const { idp, warnings } = await start();
    expect((await idp.users.findByUsername('carol'))?.id).toBe(deriveUserId('carol'));
    expect((await idp.users.findByUsername('dave'))?.roles).toEqual(['user']);
    expect(fileWarnings(warnings)).toEqual([]);
  });

  it('deleted via the admin API, then restarted: still gone, and the start names them', async () => {
    const first = idps[0]!;
    const carol = await first.users.findByUsername('carol');
    const deleted = await admin(first, await opsToken(first), 'DELETE', `/users/${carol!.id}`);
    expect(deleted.status).toBe(204);

    const { idp, warnings } = await start();
    expect(await idp.users.findByUsername('carol')).toBeNull();
    expect(await idp.users.findById(carol!.id)).toBeNull();
    expect(fileWarnings(warnings)).toEqual([
      {
        event: 'users.file_entry_ignored',
        fields: {
          user: 'carol',
          sub: carol!.id,
          detail: 'deleted by an operator: it stays deleted; remove it from USERS_FILE',
        },
      },
    ]);
    // The never-deleted one is untouched, and a third start says the same, once per user.
    expect(await idp.users.findByUsername('dave')).not.toBeNull();
    const third = await start();
    expect(await third.idp.users.findByUsername('carol')).toBeNull();
    expect(fileWarnings(third.warnings)).toHaveLength(1);
  });

  it('an operator adding the user again explicitly (POST /users) gets them back for good', async () => {
    const idp = idps[idps.length - 1]!;
    const created = await admin(idp, await opsToken(idp), 'POST', '/users', {
      body: { username: 'Carol', roles: ['user'], password: 'a brand new passphrase for her' },
    });
    expect(created.status, created.text).toBe(201);
    const { idp: restarted, warnings } = await start();
    const carol = await restarted.users.findByUsername('carol');
    // The operator's user, not the file's: its own id, kept across the restart.
    expect(carol?.id).toBe(created.body?.id);
    expect(carol?.id).not.toBe(deriveUserId('carol'));
    expect(fileWarnings(warnings)).toEqual([]);
  });
});
