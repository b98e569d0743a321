import type { Context } from 'koa';

/**
 * The IdP session cookie: HttpOnly (no script reads it), SameSite=Lax (sent on the top-level
 * redirects of the authorization flow, not on cross-site subrequests), host-only (no Domain,
 * so no sibling subdomain receives it), Path=/. Under an https issuer it is also Secure and
 * takes the `__Host-` prefix, which makes browsers enforce all of that.
 */
export interface SessionCookie {
  read(ctx: Context): string | undefined;
  write(ctx: Context, sid: string, expiresAt: number): void;
  clear(ctx: Context): void;
}

export function sessionCookie(options: { https: boolean }): SessionCookie {
  const name = options.https ? '__Host-latchkey_session' : 'latchkey_session';
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
    read: (ctx) => ctx.cookies.get(name) || undefined,
    write: (ctx, sid, expiresAt) =>
      ctx.cookies.set(name, sid, { ...attributes(ctx), expires: new Date(expiresAt) }),
    clear: (ctx) => ctx.cookies.set(name, '', { ...attributes(ctx), maxAge: 0 }),
  };
}
