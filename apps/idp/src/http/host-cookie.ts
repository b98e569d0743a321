import type { Context } from 'koa';

/** When the cookie ends: at a moment (`expires`) or after a while (`maxAgeMs`). */
export type CookieLifetime = { expires: Date } | { maxAgeMs: number };

/**
 * A cookie for the IdP's own host: HttpOnly (no script reads it), SameSite=Lax (sent on the
 * top-level redirects of the authorization flow, not on cross-site subrequests or POSTs),
 * host-only (no Domain, so no sibling subdomain receives it), Path=/. Under an https issuer it
 * is also Secure and takes the `__Host-` prefix, which makes browsers enforce all of that.
 */
export interface HostCookie {
  /** The value the browser sent; an empty one counts as none. */
  read: (ctx: Context) => string | undefined;
  write: (ctx: Context, value: string, lifetime: CookieLifetime) => void;
  clear: (ctx: Context) => void;
}

export function hostCookie(name: string, options: { https: boolean }): HostCookie {
  const fullName = options.https ? `__Host-${name}` : name;
  const attributes = (ctx: Context) => {
    // Behind a TLS-terminating proxy Koa sees plain http and would refuse a Secure cookie;
    // the issuer being https is what tells us the browser side is encrypted.
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
    read: (ctx) => ctx.cookies.get(fullName) || undefined,
    write: (ctx, value, lifetime) =>
      ctx.cookies.set(fullName, value, {
        ...attributes(ctx),
        ...('expires' in lifetime ? { expires: lifetime.expires } : { maxAge: lifetime.maxAgeMs }),
      }),
    clear: (ctx) => ctx.cookies.set(fullName, '', { ...attributes(ctx), maxAge: 0 }),
  };
}
