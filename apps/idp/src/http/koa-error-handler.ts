import type { Middleware } from 'koa';
import type { Logger } from '../logger.js';
import { httpProblem, type DescribeProblem, type HttpProblem } from './http-problem.js';

const INTERNAL = httpProblem(500, 'server_error', 'internal error');

/**
 * The outermost middleware: every failure leaves as an RFC 6749 error body with the right
 * status. `describe` is the app's mapping of its own errors (OAuth errors, store or keys
 * unavailable) onto an HttpProblem; what it does not know is a 500. Internals of unexpected
 * errors are logged, never sent.
 */
export function errorHandler(logger: Logger, describe: DescribeProblem): Middleware {
  return async (ctx, next) => {
    let problem: HttpProblem;
    try {
      await next();
      // Routing answers (404, 405 with its Allow header) get a body like every other error.
      if (ctx.status === 404 && ctx.body == null) {
        problem = httpProblem(404, 'not_found', 'no such endpoint');
      } else if (ctx.status === 405 && ctx.body == null) {
        problem = httpProblem(405, 'invalid_request', `method ${ctx.method} not allowed here`);
      } else {
        return;
      }
    } catch (caught) {
      problem = toProblem(caught, describe);
      if (problem.status >= 500) {
        logger.error('request.failed', { method: ctx.method, path: ctx.path, err: caught });
      }
    }
    ctx.status = problem.status;
    ctx.set(problem.headers);
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'application/json';
    ctx.body = { error: problem.error, error_description: problem.description };
  };
}

function toProblem(caught: unknown, describe: DescribeProblem): HttpProblem {
  const described = describe(caught);
  if (described) return described.expose ? described : INTERNAL;
  // Errors thrown by Koa itself (ctx.throw, malformed URLs) carry a status and `expose`.
  const status = (caught as { status?: unknown } | null)?.status;
  const expose = (caught as { expose?: unknown } | null)?.expose === true;
  if (typeof status === 'number' && status >= 400 && status < 500 && expose) {
    return httpProblem(status, 'invalid_request', (caught as Error).message);
  }
  return INTERNAL;
}
