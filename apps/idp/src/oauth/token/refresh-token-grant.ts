import type { Client } from '../../clients/client.js';
import type { FormParams } from '../form-body.js';
import {
  readRefreshToken,
  revokeRefreshFamily,
  rotateRefreshToken,
  type PresentedRefreshToken,
} from '../../tokens/refresh-token.js';
import { InvalidGrantError, InvalidRequestError } from '../oauth-errors.js';
import { resolveResources } from './requested-resource.js';
import { resolveScope } from './requested-scope.js';
import type { DpopBinding, TokenResponse, UserGrantContext } from './token-response.js';
import {
  findGrantHolder,
  inactiveUser,
  refreshLifetime,
  requireGrantType,
  signUserTokens,
} from './user-tokens.js';

const UNUSABLE = 'the refresh token is invalid, expired, revoked, or was issued to another client';

/**
 * RFC 6749 §6 with OAuth 2.1 §4.3.1 rotation:
 *
 * 1. the token's family exists and belongs to the authenticated client (another client's
 *    token is refused like an unknown one, without touching it);
 * 2. the token is the family's current one; an older one means the family leaked, so the
 *    session and every token issued in it are revoked (and the family with it);
 * 3. the session is still alive (logout ends every refresh token issued in it);
 * 4. `scope` and `resource` may narrow the grant for this access token, never widen it;
 * 5. refreshing counts as activity on the session, and returns a new access token and refresh
 *    token; an ID token only for a client registered with `id_token_on_refresh` (OIDC Core
 *    §12.2 allows a refresh answer without one: it would restate the login's authentication,
 *    which the client holds already, and its RS256 signature would be most of the grant's
 *    CPU time); when issued, it has the same `auth_time`, `amr` and `acr`, and no `nonce`;
 * 6. rotation is one compare-and-set, and the last store operation: of concurrent uses of
 *    one token at most one wins, and the losers are reuse, with the consequence of step 2.
 *    Everything that can fail (reading the user, recording activity, signing) happens before
 *    it, so a Redis outage mid-request leaves the presented token current and the client
 *    may retry it, instead of a rotation the client never saw turning its retry into
 *    "reuse" that revokes the session.
 */
export async function refreshTokenGrant(
  client: Client,
  form: FormParams,
  deps: UserGrantContext,
  { jkt }: DpopBinding,
): Promise<TokenResponse> {
  requireGrantType(client, 'refresh_token');
  const token = form.single('refresh_token');
  if (token === undefined) throw new InvalidRequestError('refresh_token is required');

  const presented = await readRefreshToken(deps.store, token);
  if (!presented || presented.grant.clientId !== client.id) throw new InvalidGrantError(UNUSABLE);
  if (!presented.current) return revokeForReuse(deps, presented);
  // RFC 9449 §5: a bound refresh token is only good with a proof by the same key. Refused
  // before anything is written, so the rightful holder's token keeps working.
  if (presented.grant.jkt !== undefined && presented.grant.jkt !== jkt) {
    throw new InvalidGrantError(
      'this refresh token is bound to a DPoP key: send a proof signed with that key',
    );
  }

  const at = deps.now();
  const { session, user } = await findGrantHolder(
    deps,
    presented.grant.sid,
    presented.grant.sub,
    at,
  );
  if (!session) {
    await revokeRefreshFamily(deps.store, presented.familyId);
    throw new InvalidGrantError('the session this refresh token belongs to has ended');
  }
  if (!user) throw inactiveUser();
  const scope = resolveScope(form.single('scope'), presented.grant.scope);
  const resources = resolveResources(form.all('resource'), presented.grant.resources);

  await deps.sessions.touch(session, at);
  const response = await signUserTokens(deps, client, user, {
    session,
    authTime: presented.grant.authTime,
    // OIDC Core §12.2: a refreshed ID token speaks of the same authentication.
    amr: presented.grant.amr,
    acr: presented.grant.acr,
    scope,
    resources,
    idToken: client.idTokenOnRefresh === true,
    jkt,
  });

  const rotated = await rotateRefreshToken(
    deps.store,
    presented,
    refreshLifetime(deps, client, session, at),
  );
  if (rotated === null) return revokeForReuse(deps, presented);
  return { ...response, refresh_token: rotated };
}

async function revokeForReuse(
  deps: UserGrantContext,
  presented: PresentedRefreshToken,
): Promise<never> {
  const { sid, sub, clientId } = presented.grant;
  await deps.audit.record({
    type: 'refresh_token.reuse_detected',
    actor: { kind: 'client', id: clientId },
    subject: sub,
    client: clientId,
    session: sid,
  });
  await deps.revoker.revokeSession({ sid, sub }, 'refresh_token_reuse');
  await revokeRefreshFamily(deps.store, presented.familyId);
  throw new InvalidGrantError('the refresh token was already used; its session is revoked');
}
