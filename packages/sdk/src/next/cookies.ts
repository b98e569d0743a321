/** Cookie names and the strict attributes every Latchkey cookie gets. */

export const SESSION_COOKIE = 'latchkey_session';
/** One login-transaction cookie per `state`, so parallel logins in two tabs do not collide. */
export const TRANSACTION_COOKIE_PREFIX = 'latchkey_tx_';
export const TRANSACTION_PATH = '/auth/callback';
export const TRANSACTION_MAX_AGE_SEC = 600;

export interface CookieAttributes {
  path: string;
  maxAge?: number;
  secure: boolean;
}

/**
 * HttpOnly (no script reads the tokens), SameSite=Lax (sent on the top-level redirect back from
 * the IdP, not on cross-site subrequests), and no Domain attribute, so the cookie stays on this
 * app's own host and a sibling site never receives it.
 */
export function serializeCookie(name: string, value: string, attributes: CookieAttributes): string {
  const parts = [`${name}=${value}`, `Path=${attributes.path}`, 'HttpOnly', 'SameSite=Lax'];
  if (attributes.maxAge !== undefined) parts.push(`Max-Age=${attributes.maxAge}`);
  if (attributes.secure) parts.push('Secure');
  return parts.join('; ');
}

/** No Max-Age: the IdP session and the tokens bound the session's life, not the cookie jar. */
export function sessionCookie(value: string, secure: boolean): string {
  return serializeCookie(SESSION_COOKIE, value, { path: '/', secure });
}

export function expiredCookie(name: string, path: string, secure: boolean): string {
  return serializeCookie(name, '', { path, maxAge: 0, secure });
}

/** Reads one cookie from a Cookie header; the values we set are base64url, never quoted. */
export function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function transactionCookieName(state: string): string {
  return `${TRANSACTION_COOKIE_PREFIX}${state.slice(0, 16)}`;
}
