import type { Router } from '@koa/router';
import type { Middleware } from 'koa';
import type { AccountLinkDeps } from './account-link-deps.js';
import { showForgotPasswordRoute, submitForgotPasswordRoute } from './forgot-password-routes.js';
import { showResetPasswordRoute, submitResetPasswordRoute } from './reset-password-routes.js';
import { showSignupRoute, submitSignupRoute } from './signup-routes.js';
import { showVerifyEmailRoute, submitVerifyEmailRoute } from './verify-email-routes.js';

/**
 * The account wing's pages. `page` is what every page route of the app runs first (the
 * language switcher, the HTML error pages: a database outage is a 503 page), `address` what
 * reads the client's address for the per-address limits. `/signup` exists only with
 * SELF_REGISTRATION=true: otherwise it is a 404 like any unknown path.
 */
export function mountAccountLinkRoutes(
  router: Router,
  deps: AccountLinkDeps,
  page: readonly Middleware[],
  address: Middleware,
): void {
  router.get('/forgot-password', ...page, showForgotPasswordRoute(deps));
  router.post('/forgot-password', ...page, address, submitForgotPasswordRoute(deps));
  router.get('/reset-password', ...page, showResetPasswordRoute(deps));
  router.post('/reset-password', ...page, submitResetPasswordRoute(deps));
  router.get('/verify-email', ...page, showVerifyEmailRoute(deps));
  router.post('/verify-email', ...page, submitVerifyEmailRoute(deps));
  if (deps.config.selfRegistration) {
    router.get('/signup', ...page, showSignupRoute(deps));
    router.post('/signup', ...page, address, submitSignupRoute(deps));
  }
}
