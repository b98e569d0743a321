import type { Client } from '../../clients/client.js';
import { InvalidScopeError } from '../oauth-errors.js';
import { resolveScope } from '../token/requested-scope.js';
import type { AuthorizeParams } from './authorize-params.js';

/** The OpenID Connect scopes every client may ask for (OIDC Core §5.4, §11). */
const OPENID_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

/** What the client may ask for, wherever it asks (/authorize, /par, /device_authorization). */
export function requestableScopes(client: Pick<Client, 'scopes'>): string[] {
  return [...OPENID_SCOPES, ...client.scopes];
}

/**
 * The scope is limited to the OpenID scopes plus the client's registered ones; anything else
 * is `invalid_scope` rather than silently dropped. Latchkey is an OpenID Provider: a request
 * without `openid` is refused (OIDC Core §3.1.2.1 makes it required), so every code can get
 * an ID token and the `nonce` always has somewhere to go.
 *
 * `offline_access` (OIDC Core §11) is granted without a consent screen to first-party
 * clients: they are the operator's own, which is the "other condition" §11 allows instead of
 * `prompt=consent`. A third-party client gets it only through the consent page.
 */
export function checkScope(params: AuthorizeParams, client: Client): string[] {
  const requested = params.single('scope');
  if (requested === undefined)
    throw new InvalidScopeError('scope is required and must include openid');
  const scope = resolveScope(requested, requestableScopes(client));
  if (!scope.includes('openid')) throw new InvalidScopeError('scope must include openid');
  return scope;
}

/**
 * Whether the client may ask for every one of `scopes` as it is registered now: a request
 * that waited for a consent page is checked again, since its client may have changed since.
 */
export function mayRequestScopes(client: Client, scopes: readonly string[]): boolean {
  const allowed = requestableScopes(client);
  return scopes.every((scope) => allowed.includes(scope));
}
