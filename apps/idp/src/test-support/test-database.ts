import type { TestPostgres, TestPostgresDatabase } from '@latchkey/testing';
import type { Database } from '../db/database.js';
import { migrate } from '../db/migration.js';
import { MIGRATIONS } from '../db/migrations/index.js';
import { migratedPglite } from './pglite-snapshot.js';
import { createPgDatabase } from '../db/pg-database.js';
import { wrapPglite } from '../db/pglite-database.js';

/**
 * In-memory PGlite for tests. Starting one costs about a second from the migrated dump
 * (pglite-snapshot.ts) and sharing one costs nothing: each test file loads one to share, and
 * loads another for each test that must see only its own writes.
 */
let shared: Promise<Database> | undefined;

/** A migrated database of its own, for a test that must see only its own writes. */
export async function freshTestDatabase(): Promise<Database> {
  return wrapPglite(await migratedPglite());
}

/**
 * The worker's shared database, for test IdPs: never closed by them (closing it is a no-op).
 * Tests that share it use their own usernames, as they already do with the demo users.
 */
export function sharedTestDatabase(): Promise<Database> {
  shared ??= migratedPglite().then((db) => ({ ...wrapPglite(db), close: () => Promise.resolve() }));
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
