import type { Middleware } from 'koa';
import type { Client, ClientRegistry } from '../../clients/client.js';
import { readForm } from '../form-body.js';
import type { Store } from '../../store/store.js';
import { looksLikeRefreshToken, readRefreshToken } from '../../tokens/refresh-token.js';
import { createOwnAccessTokenCheck, type OwnTokenDeps } from '../bearer/own-access-token.js';
import { authenticateClient } from '../client-auth/authenticate-client.js';
import { InvalidClientError, InvalidRequestError } from '../oauth-errors.js';
import type { UserRepository } from '../../users/user.js';

type Introspection = Record<string, unknown> & { active: boolean };

const INACTIVE: Introspection = { active: false };

/**
 * POST /introspect (RFC 7662). Only clients that can authenticate (a secret) may ask (§4: the
 * endpoint must not become a token-scanning oracle); a public client gets 401 invalid_client.
 *
 * - An access token: active while its signature, issuer and lifetime hold and its session
 *   lives. Any authenticated client may introspect it: that is what resource servers do.
 * - A refresh token: active only for the client it was issued to (§2.2 lets the server
 *   decide), only the family's current token, and only while its session lives.
 * - Anything else: `{"active": false}` and nothing more (§2.2).
 */
export function introspectRoute(
  deps: OwnTokenDeps & { clients: ClientRegistry; store: Store; users: UserRepository },
): Middleware {
  const checkAccessToken = createOwnAccessTokenCheck(deps);
  // A disabled or deleted user's tokens are inactive even if a session of theirs survived
  // (the lifecycle ends them, but fails closed here should that have been cut short).
  const userIsActive = async (sub: string) => (await deps.users.findById(sub))?.state === 'active';

  async function introspectRefreshToken(token: string, client: Client): Promise<Introspection> {
    const presented = await readRefreshToken(deps.store, token);
    if (!presented?.current || presented.grant.clientId !== client.id) return INACTIVE;
    const { grant } = presented;
    const session = await deps.sessions.find(grant.sid, deps.now());
    if (!session || session.sub !== grant.sub) return INACTIVE;
    if (!(await userIsActive(grant.sub))) return INACTIVE;
    return {
      active: true,
      token_type: 'refresh_token',
      scope: grant.scope.join(' '),
      client_id: grant.clientId,
      username: session.username,
      sub: grant.sub,
      sid: grant.sid,
      iss: deps.config.issuer,
      exp: Math.floor(Math.min(presented.expiresAt, session.expiresAt) / 1000),
    };
  }

  async function introspectAccessToken(token: string): Promise<Introspection> {
    const active = await checkAccessToken(token);
    if (!active) return INACTIVE;
    if (active.session !== null && !(await userIsActive(active.claims.sub))) return INACTIVE;
    const { claims } = active;
    return {
      active: true,
      token_type: 'Bearer',
      ...(claims.scope !== undefined && { scope: claims.scope }),
      client_id: claims.client_id,
      ...(claims.preferred_username !== undefined && { username: claims.preferred_username }),
      sub: claims.sub,
      aud: claims.aud,
      iss: claims.iss,
      exp: claims.exp,
      iat: claims.iat,
      jti: claims.jti,
      ...(claims.sid !== undefined && { sid: claims.sid }),
      // RFC 9449 §6.2: a resource server learns the key the token is bound to.
      ...(claims.cnf !== undefined && { cnf: { jkt: claims.cnf.jkt } }),
    };
  }

  return async (ctx) => {
    const form = await readForm(ctx);
    const client = authenticateClient(ctx, form, deps.clients);
    if (client.secretDigest === null) {
      throw new InvalidClientError('public clients may not introspect tokens', false);
    }
    const token = form.single('token');
    if (token === undefined) throw new InvalidRequestError('token is required');
    const result = looksLikeRefreshToken(token)
      ? await introspectRefreshToken(token, client)
      : await introspectAccessToken(token);
    ctx.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
    ctx.body = result;
  };
}
