import type { Middleware } from 'koa';
import type { Logger } from '../logger.js';

/** One line per request. Logs the path only: query strings can carry codes and tokens. */
export function accessLog(logger: Logger): Middleware {
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
