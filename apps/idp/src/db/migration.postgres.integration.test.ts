import { afterAll, describe, expect, it } from 'vitest';
import { runScript } from '../test-support/idp-process.js';
import { findTestPostgres, type TestPostgresDatabase } from '@latchkey/testing';
import { migrate } from './migration.js';
import { MIGRATIONS } from './migrations/index.js';
import { createPgDatabase } from './pg-database.js';

const server = await findTestPostgres();
const made: TestPostgresDatabase[] = [];
afterAll(async () => {
  for (const database of made) await database.drop();
});

async function freshDatabase(): Promise<TestPostgresDatabase> {
  if (!server.available) throw new Error(server.reason);
  const database = await server.createDatabase();
  made.push(database);
  return database;
}

describe.skipIf(!server.available)('migrations on the PostgreSQL server', () => {
  it('two IdPs starting together: each migration runs exactly once', async () => {
    const { url } = await freshDatabase();
    const instances = [createPgDatabase(url), createPgDatabase(url), createPgDatabase(url)];
    try {
      const applied = await Promise.all(instances.map((db) => migrate(db, MIGRATIONS)));
      expect(applied.flat().sort((a, b) => a - b)).toEqual(MIGRATIONS.map((m) => m.version));
      const rows = await instances[0]!.query('SELECT version FROM schema_migrations');
      expect(rows).toHaveLength(MIGRATIONS.length);
    } finally {
      for (const db of instances) await db.close();
    }
  });

  it('`db migrate` applies, then finds nothing to do; bad usage exits 2', async () => {
    const { url } = await freshDatabase();
    expect((await runScript('cli/db.js', ['migrate'], { DATABASE_URL: url })).code).toBe(0);
    expect((await runScript('cli/db.js', ['migrate'], { DATABASE_URL: url })).code).toBe(0);
    const db = createPgDatabase(url);
    try {
      expect(await db.query('SELECT version FROM schema_migrations')).toHaveLength(
        MIGRATIONS.length,
      );
    } finally {
      await db.close();
    }
    expect((await runScript('cli/db.js', ['wipe'], { DATABASE_URL: url })).code).toBe(2);
    expect((await runScript('cli/db.js', ['migrate'], { DATABASE_URL: 'mysql://x' })).code).toBe(1);
  });
});

it.runIf(!server.available)('says why the server half was skipped', () => {
  expect(server.available).toBe(false);
});
