import type { Queryable } from './database.js';

/** For the readiness check: null while the database answers, else the reason. */
export async function databaseNotReadyReason(db: Queryable): Promise<string | null> {
  try {
    await db.query('SELECT 1');
    return null;
  } catch {
    return 'database unreachable: PostgreSQL did not answer';
  }
}
