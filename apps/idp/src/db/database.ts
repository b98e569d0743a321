/**
 * The one query interface both drivers (a PostgreSQL server through `pg`, the embedded PGlite)
 * implement. Parameterised SQL only (`$1`, `$2`, …): values never travel inside the text.
 */
export interface Queryable {
  query<Row extends object>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
}

export interface Database extends Queryable {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * The database could not be reached or did not answer in time: an outage that passes, which
 * callers answer with 503 (`temporarily_unavailable`), never 500. A query the server refuses
 * (a constraint, a syntax error) is not this: it passes through unchanged.
 */
export class DatabaseUnavailableError extends Error {
  readonly code = 'ERR_DATABASE_UNAVAILABLE';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DatabaseUnavailableError';
  }
}
