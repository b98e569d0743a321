import type { Router } from '@koa/router';
import type { Middleware } from 'koa';
import { SECOND_FACTOR_PATH } from '../login/second-factor.js';
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
