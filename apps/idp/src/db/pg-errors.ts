import { DatabaseUnavailableError } from './database.js';

/**
 * SQLSTATE classes that mean "the server is not there for you right now": 08 connection
 * exception, 53 insufficient resources (too many connections), 57P01-57P03 the server
 * shutting down, restarting or not yet accepting connections (pg_terminate_backend gives
 * 57P01). Any other SQLSTATE is an answer to our query, so a bug to see, not an outage.
 */
const OUTAGE_STATE = /^(08|53|57P0[123])/;
const SQLSTATE = /^[0-9A-Z]{5}$/;

/** Maps what `pg` rejects with onto the interface's contract. */
export function toDatabaseError(error: unknown): unknown {
  if (error instanceof DatabaseUnavailableError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && SQLSTATE.test(code) && !OUTAGE_STATE.test(code)) return error;
  // Socket errors (ECONNREFUSED, ECONNRESET), pg's own timeouts and "Connection terminated".
  const reason = error instanceof Error ? error.message : String(error);
  return new DatabaseUnavailableError(`PostgreSQL did not answer: ${reason}`, { cause: error });
}
