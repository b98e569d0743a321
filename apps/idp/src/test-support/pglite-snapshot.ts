import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { migrate } from '../db/migration.js';
import { MIGRATIONS } from '../db/migrations/index.js';
import { wrapPglite } from '../db/pglite-database.js';

/**
 * A migrated PGlite data directory, dumped once and loaded by every test file. Vitest runs
 * each file in a fresh process, and a fresh PGlite runs initdb inside WebAssembly: 3-10 s per
 * file on CI's two cores, against about 1 s to load the dump. The dump's name holds a digest
 * of the migrations and of the installed PGlite, so a changed schema makes a new one.
 */
export const SNAPSHOT_ENV = 'LATCHKEY_TEST_PGLITE_SNAPSHOT';

function snapshotPath(): string {
  // The package's installed path names its version (pnpm's store layout) and its place.
  const pglite = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const digest = createHash('sha256')
    .update(pglite)
    .update(JSON.stringify(MIGRATIONS))
    .digest('hex')
    .slice(0, 16);
  // In this checkout's own cache, not a shared temporary folder another user could write to.
  const cache = fileURLToPath(new URL('../../node_modules/.cache/', import.meta.url));
  mkdirSync(cache, { recursive: true });
  return join(cache, `pglite-${digest}.tar`);
}

/** Vitest's globalSetup: makes the dump if this schema has none yet, and names it to workers. */
export default async function setup(): Promise<void> {
  const path = snapshotPath();
  if (!existsSync(path)) {
    const db = new PGlite();
    await db.waitReady;
    await migrate(wrapPglite(db), MIGRATIONS);
    const dump = await db.dumpDataDir('none');
    await db.close();
    // Written aside and renamed: two projects' setups may race, and a reader must never see
    // half a file.
    const partial = `${path}.${process.pid}.partial`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, path);
  }
  // Workers are forked after this and inherit the environment.
  process.env[SNAPSHOT_ENV] = path;
}

/** A migrated PGlite: from the dump when there is one, else made and migrated here. */
export async function migratedPglite(): Promise<PGlite> {
  const path = process.env[SNAPSHOT_ENV];
  if (path && existsSync(path)) {
    const db = new PGlite({ loadDataDir: new Blob([readFileSync(path)]) });
    await db.waitReady;
    return db;
  }
  const db = new PGlite();
  await db.waitReady;
  await migrate(wrapPglite(db), MIGRATIONS);
  return db;
}
