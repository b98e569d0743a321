import type { Middleware } from 'koa';
import { KeysUnavailableError } from '../keys/key-manager.js';
import type { Logger } from '../logger.js';
import { OAuthError, TemporarilyUnavailableError } from '../oauth/oauth-errors.js';
import { StoreUnavailableError } from '../store/store.js';

/**
 * The outermost middleware: every failure leaves as an RFC 6749 error body with the right
 * status. Internals of unexpected errors are logged, never sent.
 */
export function errorHandler(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      // Routing answers (404, 405 with its Allow header) get a body like every other error.
      if (ctx.status === 404 && ctx.body == null) {
        throw new OAuthError('not_found', 404, 'no such endpoint');
      }
      if (ctx.status === 405 && ctx.body == null) {
        throw new OAuthError('invalid_request', 405, `method ${ctx.method} not allowed here`);
      }
    } catch (caught) {
      const error = toOAuthError(caught);
      if (error.status >= 500) {
        logger.error('request.failed', { method: ctx.method, path: ctx.path, err: caught });
      }
      ctx.status = error.status;
      ctx.set(error.headers);
      ctx.set('Cache-Control', 'no-store');
      ctx.type = 'application/json';
      ctx.body = { error: error.error, error_description: error.description };
    }
  };
}

function toOAuthError(caught: unknown): OAuthError {
  if (caught instanceof OAuthError) return caught;
  if (caught instanceof StoreUnavailableError || caught instanceof KeysUnavailableError) {
    return new TemporarilyUnavailableError('the service is temporarily unavailable, retry shortly');
  }
  // Errors thrown by Koa itself (ctx.throw, malformed URLs) carry a status and `expose`.
  const status = (caught as { status?: unknown } | null)?.status;
  const expose = (caught as { expose?: unknown } | null)?.expose === true;
  if (typeof status === 'number' && status >= 400 && status < 500 && expose) {
    return new OAuthError('invalid_request', status, (caught as Error).message);
  }
  return new OAuthError('server_error', 500, 'internal error');
}
