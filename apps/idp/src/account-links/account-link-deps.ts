import type { AccountLifecycle } from '../users/account-lifecycle.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { Context } from 'koa';
import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import { requestLocale } from '../i18n/language-cookie.js';
import type { Locale } from '../i18n/locales.js';
import type { RateLimiter } from '../limits/rate-limit.js';
import type { Logger } from '../logger.js';
import type { AccountMailer } from '../mail/account-mailer.js';
import type { UserRepository } from '../users/user.js';
import { sendHtml } from '../views/html.js';
import { messagePage, type MessagePageModel } from '../views/message-page.js';
import { pageFrame } from '../views/page-frame.js';
import type { AccountLinks } from './account-links.js';
import type { AfterAnswer } from './after-answer.js';
import type { FormCsrf } from './form-csrf.js';

/**
 * How the account pages change a password: the account lifecycle's `setPassword`
 * (users/account-lifecycle.ts), which checks the policy, moves the password version on (killing
 * every link), ends every session and sends the "password changed" notice.
 */
export type PasswordSetter = Pick<AccountLifecycle, 'setPassword'>;

/** What the account wing's routes need; app.ts builds it once. */
export interface AccountLinkDeps {
  config: Config;
  /** The IdP's clock (ms): a pending sign-up's lifetime is measured on it, as links are. */
  now: () => number;
  database: Database;
  users: UserRepository;
  links: AccountLinks;
  passwords: PasswordSetter;
  mailer: AccountMailer;
  afterAnswer: AfterAnswer;
  csrf: FormCsrf;
  limiter: RateLimiter;
  logger: Logger;
  audit: AuditTrail;
  /** Runs `work` with `locale` as the language of any mail it causes (the notice). */
  inLocale: <T>(locale: Locale, work: () => Promise<T>) => Promise<T>;
}

/** The language of a form's answer: the one it was shown in, else the request's. */
export function formLocale(ctx: Context, chosen: string | undefined): Locale {
  return requestLocale(ctx, { chosen });
}

export function sendMessage(
  ctx: Context,
  status: number,
  locale: Locale,
  model: (t: ReturnType<typeof pageFrame>['t']) => MessagePageModel,
): void {
  const frame = pageFrame(ctx, locale);
  sendHtml(ctx, status, messagePage(frame, model(frame.t)));
}

/** The link was never good, or no longer is: one page for every reason, revealing none. */
export function sendInvalidLink(ctx: Context, locale: Locale): void {
  sendMessage(ctx, 400, locale, (t) => ({
    title: 'link.invalid.title',
    message: t.text('link.invalid.message'),
    advice: 'link.invalid.advice',
  }));
}

/** A POST from another site: refused before anything is read into the account. */
export function sendForeignOrigin(ctx: Context, locale: Locale): void {
  sendMessage(ctx, 403, locale, (t) => ({
    title: 'error.cannotSignIn.title',
    message: t.text('form.error.expired'),
  }));
}
