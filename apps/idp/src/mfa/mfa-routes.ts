import type { Router } from '@koa/router';
import type { Middleware } from 'koa';
import { SECOND_FACTOR_PATH } from '../login/second-factor.js';
import {
  confirmTotpRoute,
  regenerateRecoveryCodesRoute,
  removeTotpRoute,
  showEnrolTotpRoute,
  showTwoFactorRoute,
  type TwoFactorDeps,
} from './two-factor-routes.js';
import {
  showSecondFactorRoute,
  submitSecondFactorRoute,
  type SecondFactorPageDeps,
} from './second-factor-routes.js';

/** What app.ts puts in front of every page route. */
export interface MfaPageMiddleware {
  language: Middleware;
  htmlErrors: Middleware;
}

/** The login's second step: GET and POST /login/second-factor. */
export function mountSecondFactorRoutes(
  router: Router,
  deps: SecondFactorPageDeps,
  page: MfaPageMiddleware,
): void {
  router.get(SECOND_FACTOR_PATH, page.language, page.htmlErrors, showSecondFactorRoute(deps));
  router.post(SECOND_FACTOR_PATH, page.language, page.htmlErrors, submitSecondFactorRoute(deps));
}

/**
 * The account's two-step verification pages: GET /account/two-factor, GET and POST
 * /account/two-factor/totp (enrol), POST /account/two-factor/totp/remove and
 * /account/two-factor/recovery-codes. Changes need a recent login and send a mail notice.
 */
export function mountTwoFactorRoutes(
  router: Router,
  deps: TwoFactorDeps,
  page: MfaPageMiddleware,
): void {
  const { language, htmlErrors } = page;
  router.get('/account/two-factor', language, htmlErrors, showTwoFactorRoute(deps));
  router.get('/account/two-factor/totp', language, htmlErrors, showEnrolTotpRoute(deps));
  router.post('/account/two-factor/totp', language, htmlErrors, confirmTotpRoute(deps));
  router.post('/account/two-factor/totp/remove', language, htmlErrors, removeTotpRoute(deps));
  router.post(
    '/account/two-factor/recovery-codes',
    language,
    htmlErrors,
    regenerateRecoveryCodesRoute(deps),
  );
}
