import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable } from './database.js';
import { lockFolder } from './pglite-folder-lock.js';

/**
 * The embedded PostgreSQL (PGlite, compiled to WebAssembly, in this process): kept in the
 * folder `path` (relative to the working directory), or in memory when `path` is null. One
 * process only: a folder in use by another is refused (pglite-folder-lock.ts); a server is
 * for several instances.
 */
export async function openPgliteDatabase(path: string | null): Promise<Database> {
  if (path === null) {
    const db = new PGlite();
    await db.waitReady;
    return wrapPglite(db);
  }
  const folder = resolve(path);
  await mkdir(folder, { recursive: true });
  // Before PGlite reads a byte: a folder in use is refused, never opened twice.
  const unlock = await lockFolder(folder);
  try {
    const db = new PGlite(folder);
    await db.waitReady;
    const database = wrapPglite(db);
    return {
      ...database,
      async close() {
        try {
          await database.close();
        } finally {
          await unlock();
        }
      },
    };
  } catch (error) {
    await unlock();
    throw error;
  }
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
