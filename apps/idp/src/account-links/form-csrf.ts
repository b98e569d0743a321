import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import { hostCookie } from '../http/host-cookie.js';
import { isForeignOrigin } from '../http/same-origin.js';
import { looksLikeOpaqueToken, newOpaqueToken } from '../tokens/opaque-token.js';

const LIFETIME_MS = 60 * 60_000;

/**
 * CSRF for the account forms (forgot password, reset, verify, sign-up), which, unlike the
 * login form, have no pending authorization to bind a token to. Two checks, both needed:
 *
 * - the browser's own origin (http/same-origin.ts): a POST that another site's page sent is
 *   refused outright;
 * - a double-submit token: random, in the form and in an HttpOnly SameSite=Lax host cookie
 *   (`__Host-` under https), compared in constant time. A cross-site form has neither the
 *   cookie (Lax: not sent on cross-site POSTs) nor the token.
 *
 * One cookie per browser, reused while it lives, so two tabs with forms both work.
 */
export interface FormCsrf {
  /** The token to put in the form (setting its cookie when the browser has none). */
  issue(ctx: Context): string;
  /** True when the request comes from our own origin and the form and cookie tokens agree. */
  verify(ctx: Context, formToken: string | undefined): boolean;
  /** False when the request names another origin (a cross-site POST). */
  sameOrigin(ctx: Context): boolean;
}

export function createFormCsrf(options: { issuer: string; https: boolean }): FormCsrf {
  const cookie = hostCookie('latchkey_form', { https: options.https });
  const origin = new URL(options.issuer).origin;
  const sameOrigin = (ctx: Context): boolean => !isForeignOrigin(ctx, origin);
  return {
    issue(ctx) {
      const current = cookie.read(ctx);
      const token =
        current !== undefined && looksLikeOpaqueToken(current) ? current : newOpaqueToken();
      cookie.write(ctx, token, { maxAgeMs: LIFETIME_MS });
      return token;
    },
    verify(ctx, formToken) {
      const cookieToken = cookie.read(ctx);
      if (!sameOrigin(ctx) || !formToken || !cookieToken) return false;
      const left = Buffer.from(formToken);
      const right = Buffer.from(cookieToken);
      return left.length === right.length && timingSafeEqual(left, right);
    },
    sameOrigin,
  };
}
