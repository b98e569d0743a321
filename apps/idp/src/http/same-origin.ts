import type { Context } from 'koa';

/**
 * Whether a state-changing request comes from a page of another origin, as far as the
 * browser tells: a second line of defence beside the CSRF token, and the only one against a
 * sibling site. `*.localhost` apps (and `*.example.com` ones) are the same site as the IdP,
 * so SameSite=Lax cookies reach it from their forms; their `Origin` still differs.
 *
 * Foreign: an `Origin` that is not `ownOrigin`; or `Sec-Fetch-Site` saying `cross-site` or
 * `same-site`. `Origin: null` is foreign too (a sandboxed frame, a privacy redirect), except
 * beside `Sec-Fetch-Site: same-origin`: that is our own page sending its own form under
 * `Referrer-Policy: no-referrer` (the reset page must: its URL holds the link's token), which
 * browsers serialise as a null origin. A request with neither header (an old browser, a
 * script) passes here and must still carry the token.
 */
export function isForeignOrigin(ctx: Context, ownOrigin: string): boolean {
  const origin = ctx.get('Origin');
  const site = ctx.get('Sec-Fetch-Site');
  if (origin === 'null') return site !== 'same-origin';
  if (origin !== '' && origin !== ownOrigin) return true;
  return site === 'cross-site' || site === 'same-site';
}
