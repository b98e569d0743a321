import type { Middleware } from 'koa';
import { readForm } from '../oauth/form-body.js';
import { verifyEmailPage } from '../views/account-pages.js';
import { sendHtml } from '../views/html.js';
import { pageFrame } from '../views/page-frame.js';
import {
  formLocale,
  sendForeignOrigin,
  sendInvalidLink,
  sendMessage,
  type AccountLinkDeps,
} from './account-link-deps.js';

/**
 * GET /verify-email?token=…: a page with one button. Opening the link changes nothing: mail
 * scanners and link previews fetch links, and must not verify an address for its owner.
 */
export function showVerifyEmailRoute(deps: AccountLinkDeps): Middleware {
  return async (ctx) => {
    const locale = formLocale(ctx, undefined);
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    const holder = await deps.links.inspect(token);
    if (holder?.purpose !== 'verify') return sendInvalidLink(ctx, locale);
    const frame = pageFrame(ctx, locale, `/verify-email?token=${encodeURIComponent(token)}`);
    const html = verifyEmailPage(frame, {
      csrfToken: deps.csrf.issue(ctx),
      token,
      username: holder.user.username,
    });
    sendHtml(ctx, 200, html, { hasForm: true });
  };
}

/** POST /verify-email: the pending account becomes active. Single use, like every link. */
export function submitVerifyEmailRoute(deps: AccountLinkDeps): Middleware {
  return async (ctx) => {
    const form = await readForm(ctx, { maxBytes: 8 * 1024, maxValueLength: 1024 });
    const locale = formLocale(ctx, form.single('lang'));
    if (!deps.csrf.sameOrigin(ctx) || !deps.csrf.verify(ctx, form.single('csrf'))) {
      return sendForeignOrigin(ctx, locale);
    }
    const claim = await deps.links.claim(form.single('token') ?? '');
    if (!claim) return sendInvalidLink(ctx, locale);
    if (claim.purpose !== 'verify') {
      await claim.release();
      return sendInvalidLink(ctx, locale);
    }
    try {
      const signupValidAt = new Date(deps.now());
      if (!(await deps.users.activatePending(claim.user.id, { signupValidAt }))) {
        await claim.spend();
        return sendInvalidLink(ctx, locale);
      }
    } catch (error) {
      await claim.release().catch(() => undefined);
      throw error;
    }
    await claim.spend().catch((error: unknown) => {
      deps.logger.warn('account.link_cleanup_failed', { err: error });
    });
    deps.logger.info('account.email_verified', { sub: claim.user.id });
    sendMessage(ctx, 200, locale, (t) => ({
      title: 'verify.done.title',
      message: t.text('verify.done.message'),
    }));
  };
}
