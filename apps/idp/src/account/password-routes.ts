import { requestFacts } from '../audit/request-facts.js';
import type { Context, Middleware } from 'koa';
import type { PlainMessageKey } from '../i18n/catalogue.js';
import { requestLocale } from '../i18n/language-cookie.js';
import type { Translator } from '../i18n/translate.js';
import { describeWait } from '../i18n/wait.js';
import { askForLogin, requireRecentLogin } from '../login/page-login.js';
import {
  AccountDisabledError,
  PasswordRefusedError,
  UserNotFoundError,
} from '../users/account-errors.js';
import { SlotsBusyError } from '../users/hashing-slots.js';
import { checkNewPassword } from '../users/password-policy.js';
import { sendHtml } from '../views/html.js';
import { passwordProblemMessage } from '../views/password-problem-message.js';
import { pageFrame } from '../views/page-frame.js';
import type { AccountDeps } from './account-deps.js';
import { readAccountForm, seeOther } from './account-form.js';
import { pageCsrfToken } from './page-csrf.js';
import { passwordPage } from './password-view.js';
import { signedIn, type SignedIn } from './signed-in.js';

const PATH = '/account/password';

/**
 * A new password may be anything up to MAX_PASSWORD_LENGTH characters, and a person pasting
 * a far longer one must be told "too long", not get a bare 413: the form takes values up to
 * 256 Ki characters and lets the policy answer. Read only after the session is known.
 */
const PASSWORD_FORM_LIMITS = { maxBytes: 1024 * 1024, maxValueLength: 256 * 1024 };
/** The hashing queue drains in under a second (users/hashing-slots.ts). */
const BUSY_RETRY_AFTER_S = 1;

type FormError = { message: (t: Translator) => string; field: 'current' | 'new' };
const plain = (key: PlainMessageKey, field: FormError['field']): FormError => ({
  message: (t) => t.text(key),
  field,
});

/** GET /account/password: the form, after a recent login (sessions/recent-login.ts). */
export function showPasswordRoute(deps: AccountDeps): Middleware {
  return async (ctx) => {
    const state = await signedIn(ctx, deps, PATH);
    if (!state) return;
    const back = { returnTo: PATH, locale: state.locale };
    if (!(await requireRecentLogin(ctx, deps, state.session, back))) return;
    await renderForm(ctx, deps, state, 200);
  };
}

/**
 * POST /account/password: the current password, then the new one through the password
 * policy, then AccountLifecycle.setPassword (users/account-lifecycle.ts), which stores it and
 * ends every other session of the user.
 * A wrong current password counts as a failed login (the same throttle): a stolen session
 * must not become a way to guess the password without limit.
 */
export function changePasswordRoute(deps: AccountDeps): Middleware {
  return async (ctx) => {
    const state = await signedIn(ctx, deps, PATH);
    if (!state) return;
    const { session, user } = state;
    const form = await readAccountForm(ctx, deps, session, PASSWORD_FORM_LIMITS);
    if (!form) return;
    const chosen = form.single('lang');
    const shown = { ...state, locale: requestLocale(ctx, { chosen }) };
    if (!(await requireRecentLogin(ctx, deps, session, { returnTo: PATH, locale: shown.locale })))
      return;

    const current = form.single('current_password') ?? '';
    const next = form.single('new_password') ?? '';
    const again = form.single('confirm_password') ?? '';
    const fail = (status: number, error: FormError) => renderForm(ctx, deps, shown, status, error);
    if (current === '' || next === '' || again === '') {
      return fail(400, plain('account.password.error.missing', 'current'));
    }
    // The cheap checks first: a refused new password costs no Argon2 work.
    if (next !== again) return fail(400, plain('account.password.error.mismatch', 'new'));
    const identity = { username: user.username, ...(user.email && { email: user.email }) };
    const problem = checkNewPassword(next, identity);
    if (problem !== null) {
      return fail(400, { message: (t) => passwordProblemMessage(t, problem), field: 'new' });
    }

    const retryAfter = await deps.throttle.admit(user.username, ctx.ip);
    if (retryAfter !== null) {
      ctx.set('Retry-After', String(retryAfter));
      return fail(429, {
        message: (t) =>
          t.text('login.error.tooManyAttempts', { wait: describeWait(t, retryAfter) }),
        field: 'current',
      });
    }
    let valid: boolean;
    try {
      valid = await deps.verifyPassword(user.passwordHash, current);
    } catch (error) {
      if (!(error instanceof SlotsBusyError)) throw error;
      await deps.throttle.release(user.username, ctx.ip);
      ctx.set('Retry-After', String(BUSY_RETRY_AFTER_S));
      return fail(503, { message: (t) => t.text('login.error.busy'), field: 'current' });
    }
    if (!valid) return fail(400, plain('account.password.error.wrongCurrent', 'current'));
    await deps.throttle.recordSuccess(user.username, ctx.ip);

    try {
      await deps.accounts.setPassword(user.id, next, {
        keepSid: session.sid,
        actor: { kind: 'user', id: user.id },
        request: requestFacts(ctx),
        via: 'account_page',
      });
    } catch (error) {
      // The policy checked above is the lifecycle's own; it answers the same, should the two
      // ever differ. A user disabled or deleted meanwhile is signed out like any other.
      if (error instanceof PasswordRefusedError) {
        const { problem } = error;
        return fail(400, { message: (t) => passwordProblemMessage(t, problem), field: 'new' });
      }
      if (error instanceof AccountDisabledError || error instanceof UserNotFoundError) {
        return askForLogin(ctx, deps, { returnTo: PATH, locale: shown.locale });
      }
      throw error;
    }
    seeOther(ctx, '/account?done=password-changed');
  };
}

async function renderForm(
  ctx: Context,
  deps: AccountDeps,
  { session, user, locale }: SignedIn,
  status: number,
  error?: FormError,
): Promise<void> {
  const frame = pageFrame(ctx, locale, PATH);
  const html = passwordPage(frame, {
    csrfToken: await pageCsrfToken(ctx, deps, session),
    username: user.username,
    ...(error && { error: error.message(frame.t), invalid: error.field }),
  });
  sendHtml(ctx, status, html, { hasForm: true, referrerPolicy: 'same-origin' });
}
