import { DatabaseUnavailableError } from '../db/database.js';
import type { HttpProblem } from '../http/http-problem.js';
import { KeysUnavailableError } from '../keys/key-manager.js';
import { StoreUnavailableError } from '../store/store.js';
import { OAuthError, TemporarilyUnavailableError } from './oauth-errors.js';

/**
 * What the IdP's own failures become on the wire, for the error handler in http/ (which
 * knows none of these classes). The store, the database or the keys being unavailable is an outage that
 * passes, not a broken request: RFC 6749's `temporarily_unavailable`, 503.
 */
export function describeProblem(caught: unknown): HttpProblem | undefined {
  if (caught instanceof OAuthError) return caught;
  if (
    caught instanceof StoreUnavailableError ||
    caught instanceof DatabaseUnavailableError ||
    caught instanceof KeysUnavailableError
  ) {
    return new TemporarilyUnavailableError('the service is temporarily unavailable, retry shortly');
  }
  return undefined;
}
