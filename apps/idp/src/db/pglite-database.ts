import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable } from './database.js';

/**
 * The embedded PostgreSQL (PGlite, compiled to WebAssembly, in this process): kept in the
 * folder `path` (relative to the working directory), or in memory when `path` is null. One
 * process only: two IdPs must not open one folder; a server is for several instances.
 */
export async function openPgliteDatabase(path: string | null): Promise<Database> {
  let db: PGlite;
  if (path === null) {
    db = new PGlite();
  } else {
    const folder = resolve(path);
    await mkdir(folder, { recursive: true });
    db = new PGlite(folder);
  }
  await db.waitReady;
  return wrapPglite(db);
}

/** The interface over an open PGlite (tests clone one migrated instance to skip set-up). */
export function wrapPglite(db: PGlite): Database {
  const over = (target: Pick<PGlite, 'query'>): Queryable => ({
    async query<Row extends object>(sql: string, params: readonly unknown[] = []) {
      const result = await target.query<Row>(sql, params as unknown[]);
      return result.rows;
    },
  });
  return {
    ...over(db),
    transaction: (work) => db.transaction((tx) => work(over(tx))),
    close: () => db.close(),
  };
}
