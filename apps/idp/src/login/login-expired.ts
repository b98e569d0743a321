import type { Context } from 'koa';
import { requestLocale } from '../i18n/language-cookie.js';
import { sendHtml } from '../views/html.js';
import { messagePage } from '../views/message-page.js';
import { pageFrame } from '../views/page-frame.js';

/**
 * The answer to a login whose pending authorization (or second-factor step) is gone: used,
 * expired, or never ours. A page, never an error: the person starts again from the app.
 */
export function loginExpired(ctx: Context, chosen?: string): void {
  const frame = pageFrame(ctx, requestLocale(ctx, { chosen }));
  const page = messagePage(frame, {
    title: 'login.expired.title',
    message: frame.t.text('login.expired.message'),
  });
  sendHtml(ctx, 400, page);
}
