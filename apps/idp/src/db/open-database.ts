import type { DatabaseTarget } from '../config/database-url.js';
import type { Database } from './database.js';
import { createPgDatabase } from './pg-database.js';
import { openPgliteDatabase } from './pglite-database.js';

/** Opens the database DATABASE_URL names (config/database-url.ts parsed it). */
export function openDatabase(target: DatabaseTarget): Promise<Database> {
  return target.kind === 'postgres'
    ? Promise.resolve(createPgDatabase(target.url))
    : openPgliteDatabase(target.path);
}
