import type { Context } from 'koa';
import { hostCookie } from '../http/host-cookie.js';

/**
 * The IdP session cookie: the `sid`, until the session's absolute limit. A host cookie (see
 * hostCookie): HttpOnly, SameSite=Lax, host-only; Secure and `__Host-` under https.
 */
export interface SessionCookie {
  read(ctx: Context): string | undefined;
  write(ctx: Context, sid: string, expiresAt: number): void;
  clear(ctx: Context): void;
}

export function sessionCookie(options: { https: boolean }): SessionCookie {
  const cookie = hostCookie('latchkey_session', options);
  return {
    read: cookie.read,
    write: (ctx, sid, expiresAt) => cookie.write(ctx, sid, { expires: new Date(expiresAt) }),
    clear: cookie.clear,
  };
}
