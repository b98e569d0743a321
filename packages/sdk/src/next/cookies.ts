/** Cookie names and the strict attributes every Latchkey cookie gets. */

/** The session cookie's name over plain http (the local demo). */
export const SESSION_COOKIE = 'latchkey_session';
/**
 * Its name over https. A `__Host-` cookie is only accepted by a browser when it is Secure,
 * has Path=/ and no Domain, so it can only have been set by this very host: a sibling
 * subdomain (or a man in the middle on http) cannot plant a session cookie the app would read
 * (RFC 6265bis §4.1.3.2).
 */
export const HOST_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;
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

/** The session cookie's name: `__Host-` prefixed whenever the app is served over https. */
export function sessionCookieName(secure: boolean): string {
  return secure ? HOST_SESSION_COOKIE : SESSION_COOKIE;
}

/** No Max-Age: the IdP session and the tokens bound the session's life, not the cookie jar. */
export function sessionCookie(value: string, secure: boolean): string {
  return serializeCookie(sessionCookieName(secure), value, { path: '/', secure });
}

export function expiredSessionCookie(secure: boolean): string {
  return expiredCookie(sessionCookieName(secure), '/', secure);
}

/**
 * The session cookie's value from a request's Cookie header: what the proxy, every page's
 * session check and logout all read, so that they cannot disagree on which session this is.
 * Under https only the `__Host-` cookie counts; a plain `latchkey_session` is ignored.
 *
 * A header can carry the name twice (a cookie with another Path, or one set for a parent
 * domain over http). The first one is taken: browsers send the most specific path first,
 * then the oldest (RFC 6265 §5.4), and Next's own cookie map would take the last, which is
 * why none of the readers goes through it.
 */
export function readSessionCookie(header: string | null, secure: boolean): string | undefined {
  return readCookie(header, sessionCookieName(secure));
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

/**
 * Under https the transaction cookie is `__Host-` prefixed like the session cookie, which forces
 * Path=/: otherwise a sibling subdomain could plant its own sealed transaction (from a login it
 * started itself) and complete the victim's callback as the attacker (login CSRF).
 */
export function transactionCookieName(state: string, secure: boolean): string {
  const name = `${TRANSACTION_COOKIE_PREFIX}${state.slice(0, 16)}`;
  return secure ? `__Host-${name}` : name;
}

/** Over plain http the transaction is only sent to the callback; `__Host-` requires Path=/. */
export function transactionCookiePath(secure: boolean): string {
  return secure ? '/' : TRANSACTION_PATH;
}
