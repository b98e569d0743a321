import type { RequestFacts } from '../audit/audit-event.js';
import { requestFacts } from '../audit/request-facts.js';
import type { Context, Middleware } from 'koa';
import { addressBucket } from '../http/client-address.js';
import type { Locale } from '../i18n/locales.js';
import { describeWait } from '../i18n/wait.js';
import { readForm } from '../oauth/form-body.js';
import { digestToken } from '../tokens/opaque-token.js';
import { normaliseEmail } from '../users/normalise.js';
import { forgotPasswordPage } from '../views/account-pages.js';
import { sendHtml } from '../views/html.js';
import { pageFrame } from '../views/page-frame.js';
import {
  formLocale,
  sendForeignOrigin,
  sendMessage,
  type AccountLinkDeps,
} from './account-link-deps.js';
import { linkUrl } from './account-links.js';
import { isEmailAddress, MAX_EMAIL_LENGTH } from './email-address.js';
import { dropExpiredSignups } from './expired-signups.js';

/** GET /forgot-password: the form (field `email`). */
export function showForgotPasswordRoute(deps: AccountLinkDeps): Middleware {
  return (ctx) => renderForm(ctx, deps, formLocale(ctx, undefined), 200);
}

/**
 * POST /forgot-password. The answer is decided by what was typed alone (a well-formed
 * address, the CSRF token, the rate): "if an account uses this address, a link is on its
 * way", with the same status and after the same work whether or not one does. The look-up,
 * the link and the mail happen after the answer has gone (after-answer.ts).
 */
export function submitForgotPasswordRoute(deps: AccountLinkDeps): Middleware {
  return async (ctx) => {
    // Generous limits, so that a 10 KB address gets this form's own message, not a 413.
    const form = await readForm(ctx, { maxBytes: 64 * 1024, maxValueLength: 32 * 1024 });
    const locale = formLocale(ctx, form.single('lang'));
    if (!deps.csrf.sameOrigin(ctx)) return sendForeignOrigin(ctx, locale);
    if (!deps.csrf.verify(ctx, form.single('csrf'))) {
      return renderForm(ctx, deps, locale, 403, { error: 'form.error.expired' });
    }
    const email = form.single('email') ?? '';
    if (!isEmailAddress(email)) {
      const shown = email.length <= MAX_EMAIL_LENGTH ? email : '';
      return renderForm(ctx, deps, locale, 400, {
        error: 'account.error.invalidEmail',
        email: shown,
      });
    }
    const address = normaliseEmail(email);
    const limits = deps.config.rateLimits;
    // Per address of the asker, and per address asked for (counted whether or not it is
    // anyone's, so the limit tells nothing either): each request may send a mail.
    for (const [scope, subject, rate] of [
      ['forgot-address', addressBucket(ctx.ip), limits.forgotPasswordPerAddress],
      ['forgot-account', digestToken(address), limits.forgotPasswordPerAccount],
    ] as const) {
      if (!rate) continue;
      const verdict = await deps.limiter.consume(scope, subject, rate);
      if (!verdict.allowed) {
        ctx.set('Retry-After', String(verdict.retryAfterSec));
        return sendMessage(ctx, 429, locale, (t) => ({
          title: 'forgot.title',
          message: t.text('error.tooManyRequests.message', {
            wait: describeWait(t, verdict.retryAfterSec),
          }),
        }));
      }
    }
    const request = requestFacts(ctx);
    deps.afterAnswer.run(
      'forgot_password',
      () => sendResetLink(deps, address, locale, request),
      ctx.res,
    );
    sendMessage(ctx, 200, locale, (t) => ({
      title: 'forgot.sent.title',
      message: t.text('forgot.sent.message'),
      advice: 'mail.sent.advice',
    }));
  };
}

/** Runs after the answer: nothing here may change what the asker saw. */
async function sendResetLink(
  deps: AccountLinkDeps,
  address: string,
  locale: Locale,
  request: RequestFacts,
): Promise<void> {
  // An expired pending sign-up counts as absent: no link revives it.
  await dropExpiredSignups(deps);
  const user = await deps.users.findByEmail(address);
  // A disabled user cannot reset: no link, and no mail to tell anyone so.
  if (!user?.email || user.state === 'disabled') return;
  const token = await deps.links.issue(user, 'reset');
  // Only a link sent is recorded, under its user; never the address that was typed.
  await deps.audit.record({ type: 'password_reset.requested', subject: user.id, request });
  deps.mailer.send(
    {
      kind: 'password_reset',
      username: user.username,
      link: linkUrl(deps.config.issuer, 'reset', token),
    },
    user.email,
    locale,
  );
}

function renderForm(
  ctx: Context,
  deps: AccountLinkDeps,
  locale: Locale,
  status: number,
  view: { error?: 'form.error.expired' | 'account.error.invalidEmail'; email?: string } = {},
): void {
  const frame = pageFrame(ctx, locale, '/forgot-password');
  const html = forgotPasswordPage(frame, {
    csrfToken: deps.csrf.issue(ctx),
    ...(view.error !== undefined && { error: frame.t.text(view.error) }),
    ...(view.email !== undefined && { email: view.email }),
  });
  sendHtml(ctx, status, html, { hasForm: true });
}
