import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from './database.js';
import { migrate, SchemaTooNewError } from './migration.js';
import { MIGRATIONS } from './migrations/index.js';
import { openPgliteDatabase } from './pglite-database.js';

let db: Database;
beforeAll(async () => {
  db = await openPgliteDatabase(null);
}, 60_000);
afterAll(() => db?.close());

const versions = async () =>
  (await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY 1')).map(
    (row) => row.version,
  );

describe('migrate (PGlite)', () => {
  it('applies every migration once, in order, and records it', async () => {
    expect(await migrate(db, MIGRATIONS)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await migrate(db, MIGRATIONS)).toEqual([]);
    expect(await versions()).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('rolls a failing migration back whole: no half-made table, nothing recorded', async () => {
    const broken = {
      version: 900,
      name: 'broken',
      statements: ['CREATE TABLE half_made (id int)', 'SELECT no_such_function()'],
    };
    await expect(migrate(db, [...MIGRATIONS, broken])).rejects.toMatchObject({ code: '42883' });
    const tables = await db.query("SELECT 1 FROM pg_tables WHERE tablename = 'half_made'");
    expect(tables).toHaveLength(0);
    expect(await versions()).not.toContain(900);
  });

  it('refuses a database migrated by a newer IdP', async () => {
    await db.query("INSERT INTO schema_migrations (version, name) VALUES (999, 'future')");
    await expect(migrate(db, MIGRATIONS)).rejects.toBeInstanceOf(SchemaTooNewError);
    await db.query('DELETE FROM schema_migrations WHERE version = 999');
  });
});
