import type { Middleware } from 'koa';
import { accessLog } from '../http/koa-access-log.js';
import { errorHandler } from '../http/koa-error-handler.js';
import { securityHeaders } from '../http/koa-security-headers.js';
import type { Logger } from '../logger.js';
import { describeProblem } from '../oauth/describe-problem.js';

/**
 * The steps every request takes, outermost first. The Koa app mounts exactly these, ahead of
 * the token fast path and the router, so POST /token takes them by construction; the JWKS fast
 * path answers before Koa and names how it gives each one (JWKS_FAST_PATH_STEPS), so a step
 * added here is a type error there until it does. Nothing for every request goes on the
 * router: POST /token skips it (see token-fast-path.ts).
 */
export const EVERY_REQUEST = ['error-handler', 'access-log', 'security-headers'] as const;
export type EveryRequestStep = (typeof EVERY_REQUEST)[number];

export function everyRequestMiddleware(options: { logger: Logger; https: boolean }): Middleware[] {
  const steps: Record<EveryRequestStep, Middleware | null> = {
    'error-handler': errorHandler(options.logger, describeProblem),
    // Null below debug level: the line would be dropped, so the step costs nothing.
    'access-log': accessLog(options.logger),
    'security-headers': securityHeaders({ https: options.https }),
  };
  return EVERY_REQUEST.flatMap((step) => steps[step] ?? []);
}
