import type { Middleware } from 'koa';
import type { Rate } from '../config/rate.js';
import { addressBucket } from '../http/client-address.js';
import { TooManyRequestsError } from '../oauth/oauth-errors.js';
import type { ClientLimit } from '../oauth/token/token-route.js';
import type { RateLimiter } from './rate-limit.js';

/**
 * Refuses a request once its subject used up its rate, with 429 and Retry-After. Thrown as an
 * OAuth error, so JSON endpoints answer an RFC 6749 body and the pages people see (behind
 * `htmlErrors`) a page.
 */
async function enforce(
  limiter: RateLimiter,
  scope: string,
  subject: string,
  rate: Rate,
  who: string,
): Promise<void> {
  const result = await limiter.consume(scope, subject, rate);
  if (!result.allowed) {
    throw new TooManyRequestsError(
      `too many requests from ${who}; retry in ${result.retryAfterSec} s`,
      result.retryAfterSec,
    );
  }
}

/**
 * A per-address limit (`ctx.ip`, see client-address.ts), counted before anything else is
 * read. Null rate: no limit, no middleware cost.
 */
export function limitPerAddress(
  limiter: RateLimiter,
  scope: string,
  rate: Rate | null,
): Middleware {
  if (!rate) return (_ctx, next) => next();
  return async (ctx, next) => {
    await enforce(limiter, scope, addressBucket(ctx.ip), rate, 'this address');
    await next();
  };
}

/** Counts a request against an authenticated client; call it only after authentication. */
export function limitPerClient(
  limiter: RateLimiter,
  scope: string,
  rate: Rate | null,
): ClientLimit {
  if (!rate) return () => Promise.resolve();
  return (clientId) => enforce(limiter, scope, clientId, rate, 'this client');
}
