import type { Context } from 'koa';
import type { OAuthError } from '../oauth-errors.js';

/**
 * Sends the browser back to the client (RFC 6749 §4.1.2): the parameters are added to the
 * redirect URI's query, keeping any query it was registered with. `iss` (RFC 9207) tells the
 * client which server answered, which defeats mix-up attacks. 303 makes the browser follow
 * with a GET even after a form POST (OAuth 2.1 §7.5.4 forbids 307).
 */
export function redirectToClient(
  ctx: Context,
  redirectUri: string,
  issuer: string,
  params: Record<string, string | undefined>,
): void {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.append(name, value);
  }
  url.searchParams.append('iss', issuer);
  ctx.status = 303;
  ctx.set('Cache-Control', 'no-store');
  ctx.redirect(url.href);
}

export function redirectError(
  ctx: Context,
  redirectUri: string,
  issuer: string,
  error: OAuthError,
  state: string | undefined,
): void {
  redirectToClient(ctx, redirectUri, issuer, {
    error: error.error,
    error_description: error.description,
    state,
  });
}
