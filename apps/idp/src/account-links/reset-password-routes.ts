import { requestFacts } from '../audit/request-facts.js';
import type { Context, Middleware } from 'koa';
import type { Locale } from '../i18n/locales.js';
import {
  AccountDisabledError,
  PasswordRefusedError,
  UserNotFoundError,
} from '../users/account-errors.js';
import { readForm } from '../oauth/form-body.js';
import {
  checkNewPassword,
  MIN_PASSWORD_LENGTH,
  RECOMMENDED_PASSWORD_LENGTH,
} from '../users/password-policy.js';
import { setPasswordPage } from '../views/account-pages.js';
import { sendHtml } from '../views/html.js';
import { pageFrame } from '../views/page-frame.js';
import {
  formLocale,
  sendForeignOrigin,
  sendInvalidLink,
  sendMessage,
  type AccountLinkDeps,
} from './account-link-deps.js';
import type { LinkHolder } from './account-links.js';
import { passwordProblemMessage } from '../views/password-problem-message.js';

/** Room for a 100,000-character password, so that it is told "too long", not "too large". */
const FORM_LIMITS = { maxBytes: 1024 * 1024, maxValueLength: 256 * 1024 };

/** GET /reset-password?token=…: the form, if the link is good. Never uses the link up. */
export function showResetPasswordRoute(deps: AccountLinkDeps): Middleware {
  return async (ctx) => {
    const locale = formLocale(ctx, undefined);
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    const holder = await passwordLink(deps, token);
    if (!holder) return sendInvalidLink(ctx, locale);
    renderForm(ctx, deps, locale, 200, holder, token);
  };
}

/**
 * POST /reset-password (fields `token`, `password`, `confirm`, `csrf`). The link is claimed
 * only once the new password passed every check, so a typo does not use it up; of concurrent
 * submissions of one link exactly one gets the claim (account-links.ts). The password changes
 * through the lifecycle, which ends every session and sends the notice; nobody is signed in.
 */
export function submitResetPasswordRoute(deps: AccountLinkDeps): Middleware {
  return async (ctx) => {
    const form = await readForm(ctx, FORM_LIMITS);
    const locale = formLocale(ctx, form.single('lang'));
    if (!deps.csrf.sameOrigin(ctx)) return sendForeignOrigin(ctx, locale);
    const token = form.single('token') ?? '';
    const holder = await passwordLink(deps, token);
    if (!holder) return sendInvalidLink(ctx, locale);
    if (!deps.csrf.verify(ctx, form.single('csrf'))) {
      return renderForm(ctx, deps, locale, 403, holder, token, (t) => t.text('form.error.expired'));
    }
    const password = form.single('password') ?? '';
    const confirm = form.single('confirm');
    if (confirm !== undefined && confirm !== password) {
      return renderForm(ctx, deps, locale, 400, holder, token, (t) =>
        t.text('reset.error.mismatch'),
      );
    }
    const { user } = holder;
    const problem = checkNewPassword(password, {
      username: user.username,
      ...(user.email !== undefined && { email: user.email }),
    });
    if (problem) {
      return renderForm(ctx, deps, locale, 400, holder, token, (t) =>
        passwordProblemMessage(t, problem),
      );
    }

    const claim = await deps.links.claim(token);
    if (!claim || (claim.purpose !== 'reset' && claim.purpose !== 'invite')) {
      return sendInvalidLink(ctx, locale);
    }
    try {
      // Before the password: should the change fail, an active account with its old (or no
      // usable) password is a consistent state, and the link works again after its lease.
      if (claim.user.state === 'pending') await deps.users.activatePending(claim.user.id);
      await deps.inLocale(locale, () =>
        deps.passwords.setPassword(claim.user.id, password, {
          actor: { kind: 'user', id: claim.user.id },
          request: requestFacts(ctx),
          via: claim.purpose === 'invite' ? 'invitation' : 'reset_link',
        }),
      );
    } catch (error) {
      await claim.release().catch(() => undefined);
      // Changed meanwhile (disabled, deleted): the link no longer leads anywhere.
      if (error instanceof AccountDisabledError || error instanceof UserNotFoundError) {
        return sendInvalidLink(ctx, locale);
      }
      if (error instanceof PasswordRefusedError) {
        const { problem: refused } = error;
        return renderForm(ctx, deps, locale, 400, holder, token, (t) =>
          passwordProblemMessage(t, refused),
        );
      }
      throw error;
    }
    // The password version moved on, which already killed the link; these two only tidy up.
    await Promise.all([claim.spend(), deps.users.markEmailVerified(claim.user.id)]).catch(
      (error: unknown) => deps.logger.warn('account.link_cleanup_failed', { err: error }),
    );
    deps.logger.info('account.password_reset', { sub: claim.user.id, purpose: claim.purpose });
    sendMessage(ctx, 200, locale, (t) => ({
      title: 'reset.done.title',
      message: t.text('reset.done.message'),
    }));
  };
}

/** A good link that sets a password (not an address confirmation). */
async function passwordLink(deps: AccountLinkDeps, token: string): Promise<LinkHolder | null> {
  const holder = await deps.links.inspect(token);
  return holder && (holder.purpose === 'reset' || holder.purpose === 'invite') ? holder : null;
}

function renderForm(
  ctx: Context,
  deps: AccountLinkDeps,
  locale: Locale,
  status: number,
  holder: LinkHolder,
  token: string,
  error?: (t: ReturnType<typeof pageFrame>['t']) => string,
): void {
  // The switcher shows the form again at the address the mail opened, token included: the
  // page's own URL holds it already, and Referrer-Policy: no-referrer (every page sends it)
  // keeps it from other sites; the access log writes paths only.
  const frame = pageFrame(ctx, locale, `/reset-password?token=${encodeURIComponent(token)}`);
  const html = setPasswordPage(frame, {
    csrfToken: deps.csrf.issue(ctx),
    token,
    username: holder.user.username,
    invitation: holder.purpose === 'invite',
    minLength: MIN_PASSWORD_LENGTH,
    recommendedLength: RECOMMENDED_PASSWORD_LENGTH,
    ...(error && { error: error(frame.t) }),
  });
  sendHtml(ctx, status, html, { hasForm: true });
}
