import type { Context, Middleware } from 'koa';
import { requestLocale } from '../i18n/language-cookie.js';
import { describeWait } from '../i18n/wait.js';
import { DatabaseUnavailableError } from '../db/database.js';
import { KeysUnavailableError } from '../keys/key-manager.js';
import type { Logger } from '../logger.js';
import { StoreUnavailableError } from '../store/store.js';
import { sendHtml } from '../views/html.js';
import { messagePage } from '../views/message-page.js';
import { pageFrame } from '../views/page-frame.js';
import { OAuthError } from './oauth-errors.js';

/**
 * For the pages people see (/authorize, /login): a failure becomes a readable page with the
 * right status instead of a JSON body. The store or the database being down is a 503 with
 * Retry-After; anything unexpected is logged and shown as a 500 page without internals. The
 * page speaks the request's language (the `ui_locales` of an /authorize query included).
 */
export function htmlErrors(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (caught) {
      const frame = pageFrame(ctx, requestLocale(ctx));
      const { t } = frame;
      if (
        caught instanceof StoreUnavailableError ||
        caught instanceof DatabaseUnavailableError ||
        caught instanceof KeysUnavailableError
      ) {
        logger.warn('request.unavailable', { method: ctx.method, path: ctx.path, err: caught });
        ctx.set('Retry-After', '5');
        const message = t.text('error.unavailable.message');
        sendHtml(ctx, 503, messagePage(frame, { title: 'error.unavailable.title', message }));
        return;
      }
      if (caught instanceof OAuthError && caught.status < 500) {
        ctx.set(caught.headers);
        const message =
          caught.status === 429
            ? t.text('error.tooManyRequests.message', { wait: describeWait(t, retryAfter(ctx)) })
            : t.text('error.badRequest.message');
        sendHtml(
          ctx,
          caught.status,
          messagePage(frame, {
            title: 'error.cannotSignIn.title',
            message,
            detail: `${caught.error}: ${caught.description}`,
          }),
        );
        return;
      }
      // Koa's own client errors (ctx.throw, a malformed request it refuses) say which 4xx
      // they are and that it may be shown: the person sees that status, not a 500.
      const clientStatus = exposedClientStatus(caught);
      if (clientStatus !== undefined) {
        const message = t.text('error.badRequest.message');
        sendHtml(
          ctx,
          clientStatus,
          messagePage(frame, { title: 'error.cannotSignIn.title', message }),
        );
        return;
      }
      logger.error('request.failed', { method: ctx.method, path: ctx.path, err: caught });
      const message = t.text('error.internal.message');
      sendHtml(ctx, 500, messagePage(frame, { title: 'error.internal.title', message }));
    }
  };
}

function retryAfter(ctx: Context): number {
  const seconds = Number(ctx.response.get('Retry-After'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds : 1;
}

function exposedClientStatus(caught: unknown): number | undefined {
  if (typeof caught !== 'object' || caught === null) return undefined;
  const { status, expose } = caught as { status?: unknown; expose?: unknown };
  return expose === true && typeof status === 'number' && status >= 400 && status < 500
    ? status
    : undefined;
}
