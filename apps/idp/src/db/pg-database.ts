import pg from 'pg';
import type { Database, Queryable } from './database.js';
import { toDatabaseError } from './pg-errors.js';

export interface PgDatabaseOptions {
  /** Connections kept per process. Default 10. */
  max?: number;
  /** A connection not made within this is an outage (503), not a hang. Default 2000. */
  connectTimeoutMs?: number;
  /**
   * A query unanswered within this is an outage: a server that stopped answering (a network
   * partition) must cost a request seconds, not forever. Default 5000.
   */
  queryTimeoutMs?: number;
}

/** A PostgreSQL server through a `pg` pool; connections broken by an outage are replaced. */
export function createPgDatabase(url: string, options: PgDatabaseOptions = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 2_000,
    query_timeout: options.queryTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle connection the server drops (restart, pg_terminate_backend) is reported here; the
  // pool already discards it, and without a listener the process would crash on it.
  pool.on('error', () => undefined);

  const run = async <Row extends object>(
    client: pg.Pool | pg.PoolClient,
    sql: string,
    params: readonly unknown[] = [],
  ): Promise<Row[]> => {
    try {
      const result = await client.query<Row>(sql, params as unknown[]);
      return result.rows;
    } catch (error) {
      throw toDatabaseError(error);
    }
  };

  return {
    query: (sql, params) => run(pool, sql, params),
    async transaction(work) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw toDatabaseError(error);
      }
      const tx: Queryable = { query: (sql, params) => run(client, sql, params) };
      let broken: Error | undefined;
      try {
        await tx.query('BEGIN');
        const result = await work(tx);
        await tx.query('COMMIT');
        return result;
      } catch (error) {
        broken = error instanceof Error ? error : new Error(String(error));
        await tx.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        // A connection that failed mid-transaction is destroyed, never handed out again.
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
