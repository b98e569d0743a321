import type { Middleware } from 'koa';
import { requestFacts } from '../audit/request-facts.js';
import type { AccountDeps } from './account-deps.js';
import { readAccountForm, seeOther } from './account-form.js';
import { removeAppAccess } from './app-access.js';
import { signedIn } from './signed-in.js';

/**
 * POST /account/apps/remove: "Remove access" for one third-party app (field `client`). Only
 * the user's own grant can be named (the grant is looked up by their id), with the account
 * forms' CSRF token. An app already removed is the outcome asked for.
 */
export function removeAppAccessRoute(deps: AccountDeps): Middleware {
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
