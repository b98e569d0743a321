import type { Router } from '@koa/router';
import type { Middleware } from 'koa';

export const TOKEN_PATH = '/token';

/**
 * POST /token ahead of the router: the endpoint machines call in a loop skips the router's
 * matching of every route and composing of the matched stack per request. Mounted right after
 * the every-request steps (every-request.ts), so it takes all of them. The router keeps the
 * route for everything else it answers (405 with Allow for GET /token).
 *
 * What this skips is the router itself, so the router must hold routes only: a middleware
 * mounted on it (router.use) would run for every request but this one. Building the fast path
 * refuses such a router, and one whose POST /token is not the same handler.
 */
export function tokenFastPath(router: Router, token: Middleware): Middleware {
  assertRoutesOnly(router, token);
  return async (ctx, next) => {
    if (ctx.method === 'POST' && ctx.path === TOKEN_PATH) await token(ctx, next);
    else await next();
  };
}

export function assertRoutesOnly(router: Router, token: Middleware): void {
  const middleware = router.stack.filter((layer) => layer.methods.length === 0);
  if (middleware.length > 0) {
    throw new Error(
      `middleware on the router would not run for POST ${TOKEN_PATH}: ` +
        'mount it in fast-paths/every-request.ts or on the routes that need it',
    );
  }
  const routes = router.stack.filter(
    (layer) => layer.path === TOKEN_PATH && layer.methods.includes('POST'),
  );
  if (routes.length !== 1 || routes[0]!.stack.length !== 1 || routes[0]!.stack[0] !== token) {
    throw new Error(`the router's POST ${TOKEN_PATH} must be the fast path's handler alone`);
  }
}
