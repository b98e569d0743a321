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
 *
 * One cookie per pending authorization, named after it: with a single cookie, the login form
 * of a second tab (the shop and the wiki both sent back to login) overwrote the first one's
 * token, and the first form then failed with "opened in another browser".
 */
export interface CsrfCookie {
  /** Makes a new token, sets its cookie; returns the token and the digest to store. */
  issue(ctx: Context, authz: string, maxAgeMs: number): { token: string; digest: string };
  /** True when the form token, the cookie and the stored digest all agree. */
  verify(
    ctx: Context,
    authz: string,
    formToken: string | undefined,
    storedDigest: string | null,
  ): boolean;
  clear(ctx: Context, authz: string): void;
  /**
   * The token the browser already holds for `authz`, when it matches the stored digest: a
   * form shown again (another tab of the account page) gets the same token instead of a new
   * one that would leave the first tab's form stale. Undefined when a new one must be issued.
   */
  current(ctx: Context, authz: string, storedDigest: string | null | undefined): string | undefined;
}

/** The cookie name for one authorization; 96 bits of its id keep concurrent logins apart. */
export function csrfCookieName(authz: string): string {
  return `latchkey_csrf_${authz.slice(0, 16)}`;
}

export function csrfCookie(options: { https: boolean }): CsrfCookie {
  const cookie = (authz: string) => hostCookie(csrfCookieName(authz), options);
  return {
    issue(ctx, authz, maxAgeMs) {
      const token = newOpaqueToken();
      cookie(authz).write(ctx, token, { maxAgeMs });
      return { token, digest: digestToken(token) };
    },
    verify(ctx, authz, formToken, storedDigest) {
      const cookieToken = cookie(authz).read(ctx);
      if (!formToken || !cookieToken || storedDigest === null) return false;
      if (!looksLikeOpaqueToken(formToken) || !looksLikeOpaqueToken(cookieToken)) return false;
      return (equal(formToken, cookieToken) & equal(digestToken(formToken), storedDigest)) === 1;
    },
    clear: (ctx, authz) => cookie(authz).clear(ctx),
    current(ctx, authz, storedDigest) {
      const token = cookie(authz).read(ctx);
      if (!token || !storedDigest || !looksLikeOpaqueToken(token)) return undefined;
      return equal(digestToken(token), storedDigest) === 1 ? token : undefined;
    },
  };
}

/** Constant-time comparison of two strings, as 1 or 0 so both checks always run. */
function equal(a: string, b: string): number {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right) ? 1 : 0;
}
