/** Longest `returnTo` kept; longer ones are no page of ours worth coming back to. */
const MAX_LENGTH = 2048;
/** Resolving against a placeholder origin shows where a browser would take the path. */
const PLACEHOLDER_ORIGIN = 'http://app.invalid';

/**
 * Where to go after login: only a path on this app, else `/`. Anything else would turn the
 * login route into an open redirect.
 *
 * The check is made on the FINAL path, after the URL parser has normalised it: the parser
 * removes dot segments (`/.//evil.example`, `/a/..//evil.example`, `/%2e//evil.example` all
 * become `//evil.example`), strips tabs and newlines, and reads `\` as `/`, so a check of
 * the input alone let protocol-relative URLs through.
 */
export function safeReturnTo(value: string | null | undefined): string {
  if (typeof value !== 'string' || value.length > MAX_LENGTH) return '/';
  // Refused outright rather than left to the parser (WHATWG URL drops tabs and newlines
  // and turns `\` into `/`): none belongs in a path we link to.
  if (/[\x00-\x1f\x7f\\]/.test(value)) return '/';
  if (!value.startsWith('/')) return '/';
  let url: URL;
  try {
    url = new URL(value, PLACEHOLDER_ORIGIN);
  } catch {
    return '/';
  }
  if (url.origin !== PLACEHOLDER_ORIGIN) return '/';
  const path = `${url.pathname}${url.search}${url.hash}`;
  return isPlainPath(path) && path.length <= MAX_LENGTH ? path : '/';
}

/**
 * The absolute URL to send the browser to after login: `returnTo` on the app's origin, or
 * the app's home when it would leave it. The last check before the redirect, whatever
 * stored the path (a login transaction sealed by an older version, say).
 */
export function returnUrl(returnTo: string, appOrigin: string): string {
  const home = new URL('/', appOrigin).href;
  if (!isPlainPath(returnTo)) return home;
  try {
    const url = new URL(returnTo, appOrigin);
    return url.origin === new URL(appOrigin).origin ? url.href : home;
  } catch {
    return home;
  }
}

/** A path a browser cannot read as another host: `//host` and `/\host` are protocol-relative. */
function isPlainPath(path: string): boolean {
  return path.startsWith('/') && !path.startsWith('//') && !path.startsWith('/\\');
}
