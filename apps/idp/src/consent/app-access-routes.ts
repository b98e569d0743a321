import type { Router } from '@koa/router';
import type { Middleware } from 'koa';
import type { PageMiddleware } from '../account/account-routes.js';
import { requestFacts } from '../audit/request-facts.js';
import type { AccountDeps } from '../account/account-deps.js';
import { readAccountForm, seeOther } from '../account/account-form.js';
import { removeAppAccess, type AppAccessDeps } from './app-access.js';
import { signedIn } from '../account/signed-in.js';

/**
 * POST /account/apps/remove: "Remove access" for one third-party app (field `client`). Only
 * the user's own grant can be named (the grant is looked up by their id), with the account
 * forms' CSRF token. An app already removed is the outcome asked for.
 */
export function removeAppAccessRoute(deps: AccountDeps & AppAccessDeps): Middleware {
  return async (ctx) => {
    const state = await signedIn(ctx, deps, '/account');
    if (!state) return;
    const { session, user } = state;
    const form = await readAccountForm(ctx, deps, session);
    if (!form) return;
    const clientId = form.single('client') ?? '';
    await removeAppAccess(deps, {
      userId: user.id,
      clientId,
      sid: session.sid,
      request: requestFacts(ctx),
    });
    seeOther(ctx, '/account?done=access-removed#apps');
  };
}

/** The consent wing's account route: POST /account/apps/remove. */
export function mountAppAccessRoutes(
  router: Router,
  deps: AccountDeps & AppAccessDeps,
  page: Pick<PageMiddleware, 'language' | 'htmlErrors'>,
): void {
  router.post('/account/apps/remove', page.language, page.htmlErrors, removeAppAccessRoute(deps));
}
