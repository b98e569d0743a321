import type { Context } from 'koa';
import { isForeignOrigin } from '../http/same-origin.js';
import { requestLocale } from '../i18n/language-cookie.js';
import { readForm, type FormLimits, type FormParams } from '../oauth/form-body.js';
import type { Session } from '../sessions/session.js';
import { sendHtml } from '../views/html.js';
import { pageFrame } from '../views/page-frame.js';
import type { AccountDeps } from './account-deps.js';
import { pageCsrfValid } from './page-csrf.js';
import { refusedPage } from './refused-view.js';

/** The account forms' fields are short; the password form asks for more (see its route). */
const DEFAULT_LIMITS: FormLimits = { maxBytes: 8 * 1024, maxValueLength: 1024 };

/**
 * The body of an account form, or null after answering 403 with nothing changed: refused when
 * the browser says it comes from another origin (before the body is read), or when its CSRF
 * token does not match the cookie and the session (page-csrf.ts). Every POST of the account
 * pages goes through here, so none can forget either check.
 */
export async function readAccountForm(
  ctx: Context,
  deps: AccountDeps,
  session: Session,
  limits: FormLimits = DEFAULT_LIMITS,
): Promise<FormParams | null> {
  if (isForeignOrigin(ctx, new URL(deps.config.issuer).origin)) {
    refuse(ctx);
    return null;
  }
  const form = await readForm(ctx, limits);
  if (!pageCsrfValid(ctx, deps, session, form.single('csrf'))) {
    refuse(ctx, form.single('lang'));
    return null;
  }
  return form;
}

function refuse(ctx: Context, chosen?: string): void {
  const frame = pageFrame(ctx, requestLocale(ctx, { chosen }), '/account');
  sendHtml(ctx, 403, refusedPage(frame));
}

/** After a POST: back to a page with GET (303), never cached. */
export function seeOther(ctx: Context, path: string): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.redirect(path);
  ctx.status = 303;
}
