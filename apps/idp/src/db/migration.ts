import type { Database } from './database.js';

/** One step of the schema. Statements run one by one (PGlite's query takes one at a time). */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: readonly string[];
}

/** A key of our own for pg_advisory_xact_lock: "latchkey" in ASCII, as a 64-bit number. */
const MIGRATION_LOCK = '7809651199139603833';

/** The database holds migrations this build does not know: an older IdP on a newer schema. */
export class SchemaTooNewError extends Error {
  readonly code = 'ERR_SCHEMA_TOO_NEW';
  constructor(readonly unknownVersions: readonly number[]) {
    super(
      `the database has migrations this IdP does not know (${unknownVersions.join(', ')}); ` +
        'run a newer IdP',
    );
    this.name = 'SchemaTooNewError';
  }
}

/**
 * Applies the missing migrations in order, all in one transaction, recording each in
 * `schema_migrations`; returns the versions applied now. Safe when several IdPs start at once
 * on one server: the transaction-scoped advisory lock makes the others wait, and they then
 * find nothing left to do. A failed migration leaves the schema as it was.
 */
export async function migrate(db: Database, migrations: readonly Migration[]): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`,
    );
    const rows = await tx.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((row) => Number(row.version)));
    const known = new Set(migrations.map((migration) => migration.version));
    const unknown = [...applied].filter((version) => !known.has(version)).sort((a, b) => a - b);
    if (unknown.length > 0) throw new SchemaTooNewError(unknown);

    const done: number[] = [];
    const ordered = [...migrations].sort((a, b) => a.version - b.version);
    for (const migration of ordered) {
      if (applied.has(migration.version)) continue;
      for (const statement of migration.statements) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      done.push(migration.version);
    }
    return done;
  });
}
