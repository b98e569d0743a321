import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import { digestToken, looksLikeOpaqueToken, newOpaqueToken } from '../tokens/opaque-token.js';

/**
 * The login form's CSRF token: random, put both in the form and in a short-lived cookie, with
 * its digest in the pending authorization. A POST must carry the same token in both and match
 * the record, so it can only come from the browser that was shown the form for this very
 * authorization. A cross-site form (login CSRF: logging the victim in as the attacker) has
 * neither the cookie (SameSite=Lax, not sent on cross-site POSTs) nor the token.
 */
export interface CsrfCookie {
  /** Makes a new token, sets its cookie; returns the token and the digest to store. */
  issue(ctx: Context, maxAgeMs: number): { token: string; digest: string };
  /** True when the form token, the cookie and the stored digest all agree. */
  verify(ctx: Context, formToken: string | undefined, storedDigest: string | null): boolean;
  clear(ctx: Context): void;
}

export function csrfCookie(options: { https: boolean }): CsrfCookie {
  const name = options.https ? '__Host-latchkey_csrf' : 'latchkey_csrf';
  const attributes = (ctx: Context) => {
    if (options.https) ctx.cookies.secure = true;
    return {
      httpOnly: true,
      sameSite: 'lax' as const,
      secure: options.https,
      path: '/',
      overwrite: true,
      signed: false,
    };
  };
  return {
    issue(ctx, maxAgeMs) {
      const token = newOpaqueToken();
      ctx.cookies.set(name, token, { ...attributes(ctx), maxAge: maxAgeMs });
      return { token, digest: digestToken(token) };
    },
    verify(ctx, formToken, storedDigest) {
      const cookieToken = ctx.cookies.get(name);
      if (!formToken || !cookieToken || storedDigest === null) return false;
      if (!looksLikeOpaqueToken(formToken) || !looksLikeOpaqueToken(cookieToken)) return false;
      return (equal(formToken, cookieToken) & equal(digestToken(formToken), storedDigest)) === 1;
    },
    clear: (ctx) => ctx.cookies.set(name, '', { ...attributes(ctx), maxAge: 0 }),
  };
}

/** Constant-time comparison of two strings, as 1 or 0 so both checks always run. */
function equal(a: string, b: string): number {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right) ? 1 : 0;
}
