import { StoreUnavailableError } from './store.js';

/**
 * Redis answered, but with a state that passes: still loading its data set, a script
 * blocking it, a replica not yet promoted, out of memory. The caller can only answer 503
 * and try later, exactly as when Redis is unreachable.
 */
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN|NOREPLICAS|OOM)\b/;

/**
 * Maps what ioredis rejects with onto the store's contract. Any other error reply from
 * Redis (WRONGTYPE, a syntax error) is a bug in our code, not an outage, so it passes
 * through unchanged rather than being hidden behind a 503.
 */
export function toStoreError(error: unknown, operation: string): Error {
  if (error instanceof StoreUnavailableError) return error;
  if (isReplyError(error) && !TRANSIENT_REPLY.test(error.message)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new StoreUnavailableError(`Redis ${operation} failed: ${reason}`, { cause: error });
}

function isReplyError(error: unknown): error is Error {
  // ioredis does not export a usable ReplyError type; redis-errors names its class.
  return error instanceof Error && error.name === 'ReplyError';
}
