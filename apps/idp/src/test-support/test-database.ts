import { PGlite } from '@electric-sql/pglite';
import type { TestPostgres, TestPostgresDatabase } from '@latchkey/testing';
import type { Database } from '../db/database.js';
import { migrate } from '../db/migration.js';
import { MIGRATIONS } from '../db/migrations/index.js';
import { createPgDatabase } from '../db/pg-database.js';
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

/**
 * The server half of the contract suites: each `create` makes a database of its own on the
 * PostgreSQL server and migrates it; `dropAll` drops every one made so far.
 */
export function serverTestDatabases(server: TestPostgres): {
  create(): Promise<Database>;
  dropAll(): Promise<void>;
} {
  const made: TestPostgresDatabase[] = [];
  return {
    async create() {
      if (!server.available) throw new Error(server.reason);
      const database = await server.createDatabase();
      made.push(database);
      const db = createPgDatabase(database.url);
      await migrate(db, MIGRATIONS);
      return db;
    },
    async dropAll() {
      for (const database of made.splice(0)) await database.drop();
    },
  };
}
