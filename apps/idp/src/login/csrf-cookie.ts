import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import { hostCookie } from '../http/host-cookie.js';
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
  const cookie = hostCookie('latchkey_csrf', options);
  return {
    issue(ctx, maxAgeMs) {
      const token = newOpaqueToken();
      cookie.write(ctx, token, { maxAgeMs });
      return { token, digest: digestToken(token) };
    },
    verify(ctx, formToken, storedDigest) {
      const cookieToken = cookie.read(ctx);
      if (!formToken || !cookieToken || storedDigest === null) return false;
      if (!looksLikeOpaqueToken(formToken) || !looksLikeOpaqueToken(cookieToken)) return false;
      return (equal(formToken, cookieToken) & equal(digestToken(formToken), storedDigest)) === 1;
    },
    clear: cookie.clear,
  };
}

/** Constant-time comparison of two strings, as 1 or 0 so both checks always run. */
function equal(a: string, b: string): number {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right) ? 1 : 0;
}
