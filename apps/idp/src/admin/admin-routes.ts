import type { Router } from '@koa/router';
import type { Context, Middleware } from 'koa';
import { adminAuth } from './admin-auth.js';
import type { AdminDeps } from './admin-deps.js';
import { AdminProblem, notFound, problemOfServiceError, writeProblem } from './admin-problem.js';
import type { AdminResource } from './admin-resource.js';
import { ADMIN_RESOURCES } from './admin-resources.js';
import { adminOpenApi } from './openapi.js';

export const ADMIN_PREFIX = '/admin/v1';

export interface AdminApiOptions {
  /** Default ADMIN_RESOURCES. */
  resources?: readonly AdminResource[];
  /** Where the token check fetches the IdP's keys; default its own /jwks over loopback. */
  jwksUri?: string;
}

/**
 * The admin API as one middleware, mounted ahead of the app's router: it answers every path
 * under /admin/v1 itself, with RFC 9457 problem details for every failure (the app's error
 * handler, further out, writes RFC 6749 bodies, which are for the OAuth endpoints), and passes
 * every other path on untouched.
 */
export function adminApi(deps: AdminDeps, options: AdminApiOptions = {}): Middleware {
  const resources = options.resources ?? ADMIN_RESOURCES;
  const routers = adminRouters(deps, resources);
  const document = JSON.stringify(adminOpenApi(resources, deps.config.issuer));
  const auth = adminAuth(deps, options.jwksUri === undefined ? {} : { jwksUri: options.jwksUri });
  const dispatch = routers.flatMap((router) => [router.routes(), router.allowedMethods()]);

  const run = async (ctx: Context, index: number): Promise<void> => {
    const step = dispatch[index];
    if (step) await step(ctx as never, () => run(ctx, index + 1));
  };

  return async (ctx, next) => {
    if (ctx.path !== ADMIN_PREFIX && !ctx.path.startsWith(`${ADMIN_PREFIX}/`)) {
      await next();
      return;
    }
    try {
      if (ctx.path === `${ADMIN_PREFIX}/openapi.json` && ['GET', 'HEAD'].includes(ctx.method)) {
        ctx.type = 'application/json';
        ctx.set('Cache-Control', 'no-cache');
        ctx.body = document;
        return;
      }
      await auth(ctx, () => run(ctx, 0));
      if (ctx.status === 405 && ctx.body == null) {
        throw new AdminProblem(405, 'method-not-allowed', `${ctx.method} is not allowed here`);
      }
      if (ctx.status === 404 && ctx.body == null) throw notFound('no such admin endpoint');
    } catch (caught) {
      let problem = caught instanceof AdminProblem ? caught : problemOfServiceError(caught);
      if (!problem) {
        deps.logger.error('admin.failed', { method: ctx.method, path: ctx.path, err: caught });
        problem = new AdminProblem(500, 'internal', 'internal error');
      }
      writeProblem(ctx, problem);
    }
  };
}

/** Each resource's router, its routes moved under /admin/v1. */
export function adminRouters(deps: AdminDeps, resources: readonly AdminResource[]): Router[] {
  return resources.map((resource) => resource.routes(deps).prefix(ADMIN_PREFIX));
}
