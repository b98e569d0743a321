import type { Middleware } from 'koa';
import { DatabaseUnavailableError } from '../db/database.js';
import { KeysUnavailableError } from '../keys/key-manager.js';
import type { Logger } from '../logger.js';
import { StoreUnavailableError } from '../store/store.js';
import { sendHtml } from '../views/html.js';
import { messagePage } from '../views/message-page.js';
import { OAuthError } from './oauth-errors.js';

/**
 * For the pages people see (/authorize, /login): a failure becomes a readable page with the
 * right status instead of a JSON body. The store or the database being down is a 503 with Retry-After;
 * anything unexpected is logged and shown as a 500 page without internals.
 */
export function htmlErrors(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (caught) {
      if (
        caught instanceof StoreUnavailableError ||
        caught instanceof DatabaseUnavailableError ||
        caught instanceof KeysUnavailableError
      ) {
        logger.warn('request.unavailable', { method: ctx.method, path: ctx.path, err: caught });
        ctx.set('Retry-After', '5');
        sendHtml(
          ctx,
          503,
          messagePage(
            'Temporarily unavailable',
            'Signing in is not possible right now. Please try again in a moment.',
          ),
        );
        return;
      }
      if (caught instanceof OAuthError && caught.status < 500) {
        ctx.set(caught.headers);
        sendHtml(ctx, caught.status, messagePage('Cannot sign in', caught.description));
        return;
      }
      logger.error('request.failed', { method: ctx.method, path: ctx.path, err: caught });
      sendHtml(
        ctx,
        500,
        messagePage('Something went wrong', 'Signing in failed on our side. Please try again.'),
      );
    }
  };
}
