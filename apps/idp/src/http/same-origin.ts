import type { Context } from 'koa';

/**
 * Whether a state-changing request comes from a page of another origin, as far as the
 * browser tells: a second line of defence beside the CSRF token, and the only one against a
 * sibling site. `*.localhost` apps (and `*.example.com` ones) are the same site as the IdP,
 * so SameSite=Lax cookies reach it from their forms; their `Origin` still differs.
 *
 * Foreign: an `Origin` that is not `ownOrigin`, `null` included (a sandboxed frame, a
 * privacy redirect, or a page with `Referrer-Policy: no-referrer`: the account pages send
 * `same-origin` so that their own forms carry their origin); or `Sec-Fetch-Site` saying
 * `cross-site` or `same-site`. A request with neither header (an old browser, a script)
 * passes here and must still carry the token.
 */
export function isForeignOrigin(ctx: Context, ownOrigin: string): boolean {
  const origin = ctx.get('Origin');
  if (origin !== '' && origin !== ownOrigin) return true;
  const site = ctx.get('Sec-Fetch-Site');
  return site === 'cross-site' || site === 'same-site';
}
