import type { Router } from '@koa/router';
import type { Middleware } from 'koa';
import type { AccountDeps } from './account-deps.js';
import { showAccountRoute } from './overview-route.js';
import { changePasswordRoute, showPasswordRoute } from './password-routes.js';
import { signOutOthersRoute, signOutSessionRoute } from './session-routes.js';

/** What app.ts puts in front of every page route: the language switch, the HTML errors. */
export interface PageMiddleware {
  language: Middleware;
  htmlErrors: Middleware;
  /** Sets `ctx.ip` (trusted proxies), for the failed-login throttle. */
  clientAddress: Middleware;
}

/**
 * The account pages: GET /account (profile, sessions), POST /account/sessions/sign-out and
 * /account/sessions/sign-out-others, GET and POST /account/password. ("Remove access" is the
 * consent wing's: consent/app-access-routes.ts.) Each answers a readable
 * page, a 503 page while Redis or the database is away, never a 500 with internals.
 */
export function mountAccountRoutes(router: Router, deps: AccountDeps, page: PageMiddleware): void {
  const { language, htmlErrors, clientAddress } = page;
  router.get('/account', language, htmlErrors, showAccountRoute(deps));
  router.post('/account/sessions/sign-out', language, htmlErrors, signOutSessionRoute(deps));
  router.post('/account/sessions/sign-out-others', language, htmlErrors, signOutOthersRoute(deps));
  router.get('/account/password', language, htmlErrors, showPasswordRoute(deps));
  router.post('/account/password', language, htmlErrors, clientAddress, changePasswordRoute(deps));
}
