import type { Middleware } from 'koa';
import type { Logger } from '../logger.js';

/**
 * One line per request, at debug level. Logs the path only: query strings can carry codes and
 * tokens. At any other level the middleware is not mounted at all: building the fields and
 * reading the clock cost every request for a line nobody writes.
 */
export function accessLog(logger: Logger): Middleware | null {
  if (!logger.isEnabled('debug')) return null;
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      logger.debug('request', {
        method: ctx.method,
        path: ctx.path,
        status: ctx.status,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
      });
    }
  };
}
