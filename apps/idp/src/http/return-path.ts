/**
 * Where the IdP may send a browser back to after it asked for a login on its own behalf (the
 * account page): a path on this host, under one of the IdP's own page prefixes, and nothing
 * else. A "return to" value that could name another site is an open redirect (a phishing
 * page reached through the IdP's good name), so this is an allow-list, not a deny-list.
 */

/**
 * The IdP's own pages a login may come back to: the account pages, and the device page
 * (RFC 8628), which asks for a login before it takes a user code.
 */
export const RETURN_PATH_PREFIXES: readonly string[] = ['/account', '/device'];

/** Longer values are nobody's page. */
const MAX_RETURN_PATH = 512;
const BASE = 'http://return.invalid';

/**
 * The path and query of `candidate` when it is one of the IdP's own pages, in one canonical
 * spelling; null otherwise. Refused: anything that is not a plain absolute path (`//host`,
 * `/\host`, `https:`, a backslash, control characters or spaces that browsers strip or fold),
 * and paths outside {@link RETURN_PATH_PREFIXES} (`/accountancy` is not `/account`).
 */
export function safeReturnPath(candidate: unknown): string | null {
  if (typeof candidate !== 'string' || candidate.length > MAX_RETURN_PATH) return null;
  // Browsers treat `\` as `/` and drop tabs and newlines, so `/\evil` and `/\t/evil` reach
  // another host: refuse them before any parsing can disagree with a browser's.
  if (!candidate.startsWith('/') || /[\\\u0000-\u0020\u007f]/.test(candidate)) return null;
  if (candidate.startsWith('//')) return null;
  let url: URL;
  try {
    url = new URL(candidate, BASE);
  } catch {
    return null;
  }
  if (url.origin !== BASE || url.hash !== '') return null;
  const path = url.pathname;
  const allowed = RETURN_PATH_PREFIXES.some(
    (prefix) => path === prefix || path.startsWith(`${prefix}/`),
  );
  // Dot segments are resolved by URL; what is left must not be a way back out of the prefix.
  return allowed ? `${path}${url.search}` : null;
}
