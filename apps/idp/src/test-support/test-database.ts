import { PGlite } from '@electric-sql/pglite';
import type { Database } from '../db/database.js';
import { migrate } from '../db/migration.js';
import { MIGRATIONS } from '../db/migrations/index.js';
import { wrapPglite } from '../db/pglite-database.js';

/**
 * In-memory PGlite for tests. Starting one costs seconds (initdb inside WebAssembly, measured
 * 2.4-6 s here); cloning a migrated one costs ~0.5 s, and sharing one costs nothing. So each
 * test worker makes one, migrates it once, and hands out the shared one or clones.
 */
let base: Promise<PGlite> | undefined;
let shared: Promise<Database> | undefined;

function migratedBase(): Promise<PGlite> {
  base ??= (async () => {
    const db = new PGlite();
    await db.waitReady;
    await migrate(wrapPglite(db), MIGRATIONS);
    return db;
  })();
  return base;
}

/** A migrated database of its own, for a test that must see only its own writes. */
export async function freshTestDatabase(): Promise<Database> {
  return wrapPglite((await (await migratedBase()).clone()) as PGlite);
}

/**
 * The worker's shared database, for test IdPs: never closed by them (closing it is a no-op).
 * Tests that share it use their own usernames, as they already do with the demo users.
 */
export function sharedTestDatabase(): Promise<Database> {
  shared ??= migratedBase().then((db) => ({ ...wrapPglite(db), close: () => Promise.resolve() }));
  return shared;
}
