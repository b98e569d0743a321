import type { Client } from '../../clients/client.js';
import { InvalidScopeError } from '../oauth-errors.js';
import { resolveScope } from '../token/requested-scope.js';
import type { AuthorizeParams } from './authorize-params.js';

/** The OpenID Connect scopes every client may ask for (OIDC Core §5.4, §11). */
const OPENID_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

/**
 * The scope is limited to the OpenID scopes plus the client's registered ones; anything else
 * is `invalid_scope` rather than silently dropped. Latchkey is an OpenID Provider: a request
 * without `openid` is refused (OIDC Core §3.1.2.1 makes it required), so every code can get
 * an ID token and the `nonce` always has somewhere to go.
 *
 * `offline_access` (OIDC Core §11) is granted without a consent screen: clients are
 * registered by the operator, which is the "other condition" §11 allows instead of
 * `prompt=consent`.
 */
export function checkScope(params: AuthorizeParams, client: Client): string[] {
  const requested = params.single('scope');
  if (requested === undefined)
    throw new InvalidScopeError('scope is required and must include openid');
  const scope = resolveScope(requested, [...OPENID_SCOPES, ...client.scopes]);
  if (!scope.includes('openid')) throw new InvalidScopeError('scope must include openid');
  return scope;
}
