import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import { hostCookie } from '../http/host-cookie.js';

/**
 * The IdP session cookie: the `sid` and a MAC over it, until the session's absolute limit. A
 * host cookie (see hostCookie): HttpOnly, SameSite=Lax, host-only; Secure and `__Host-` under
 * https.
 *
 * The `sid` alone is not a credential: every ID and access token carries it (OIDC `sid`, the
 * key of revocations), so every relying party and resource server sees it, and so does anyone
 * who reads the demo's session panel. A cookie holding only the `sid` would let any of them
 * sign in at the IdP as that user, and from there at every other app. The MAC, keyed by a
 * secret only the IdP holds, is what a browser must present besides.
 */
export interface SessionCookie {
  /** The `sid` of a cookie whose MAC is right; undefined for none, a bare or forged one. */
  read(ctx: Context): string | undefined;
  write(ctx: Context, sid: string, expiresAt: number): void;
  clear(ctx: Context): void;
}

export function sessionCookie(options: { https: boolean; key: SessionCookieKey }): SessionCookie {
  const cookie = hostCookie('latchkey_session', options);
  return {
    read: (ctx) => sidOf(options.key, cookie.read(ctx)),
    write: (ctx, sid, expiresAt) =>
      cookie.write(ctx, sessionCookieValue(options.key, sid), { expires: new Date(expiresAt) }),
    clear: cookie.clear,
  };
}

/** The MAC key, derived from the key-encryption key: one secret to configure, not two. */
export type SessionCookieKey = Buffer & { readonly __sessionCookieKey: true };

export function sessionCookieKey(keyEncryptionKey: Uint8Array): SessionCookieKey {
  const key = hkdfSync(
    'sha256',
    keyEncryptionKey,
    new Uint8Array(0),
    'latchkey session cookie',
    32,
  );
  return Buffer.from(key) as SessionCookieKey;
}

/** `sid.mac`: what the browser holds. Exported for tests that start from a stored session. */
export function sessionCookieValue(key: SessionCookieKey, sid: string): string {
  return `${sid}.${mac(key, sid).toString('base64url')}`;
}

function sidOf(key: SessionCookieKey, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const dot = value.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const sid = value.slice(0, dot);
  const presented = Buffer.from(value.slice(dot + 1), 'base64url');
  const expected = mac(key, sid);
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
    return undefined;
  }
  return sid;
}

const mac = (key: SessionCookieKey, sid: string): Buffer =>
  createHmac('sha256', key).update(sid).digest();
