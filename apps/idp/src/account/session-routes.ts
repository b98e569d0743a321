import type { Middleware } from 'koa';
import { requireRecentLogin } from '../login/page-login.js';
import { renderSignedOut } from '../oauth/logout/logout-pages.js';
import type { AccountDeps } from './account-deps.js';
import { readAccountForm, seeOther } from './account-form.js';
import { clearPageCsrf } from './page-csrf.js';
import { sessionHandle } from './session-handle.js';
import { signedIn } from './signed-in.js';

/**
 * POST /account/sessions/sign-out: ends one of the user's sessions through the revoker, as
 * logout does (every SDK drops its tokens at once). Only a session of this user can be
 * named: the handle is looked up among their own. This browser's own session signs it out.
 */
export function signOutSessionRoute(deps: AccountDeps): Middleware {
  return async (ctx) => {
    const state = await signedIn(ctx, deps, '/account');
    if (!state) return;
    const { session, user } = state;
    const form = await readAccountForm(ctx, deps, session);
    if (!form) return;
    const handle = form.single('session');
    const live = await deps.sessions.listForUser(user.id, deps.now());
    const target = live.find(({ sid }) => sessionHandle(sid) === handle);
    // Already ended (another tab, an expiry): the outcome the person asked for.
    if (!target) return seeOther(ctx, '/account?done=session-ended');
    await deps.revoker.revokeSession(target, 'logout');
    if (target.sid !== session.sid) return seeOther(ctx, '/account?done=session-ended');
    deps.cookie.clear(ctx);
    clearPageCsrf(ctx, deps);
    renderSignedOut(ctx);
  };
}

/**
 * POST /account/sessions/sign-out-others: every session of the user but this one. Sensitive
 * (it is what someone who took over a session would do to lock the owner out): it needs a
 * recent login, and otherwise asks for the password first.
 */
export function signOutOthersRoute(deps: AccountDeps): Middleware {
  return async (ctx) => {
    const state = await signedIn(ctx, deps, '/account');
    if (!state) return;
    const { session, user, locale } = state;
    const form = await readAccountForm(ctx, deps, session);
    if (!form) return;
    const back = { returnTo: '/account', locale: form.single('lang') ?? locale };
    if (!(await requireRecentLogin(ctx, deps, session, back))) return;
    await deps.revoker.revokeOtherSessions(user.id, session.sid, 'signed_out_elsewhere');
    seeOther(ctx, '/account?done=others-ended');
  };
}
