import type { Middleware } from 'koa';
import type { AuditTrail } from '../../audit/audit-trail.js';
import { requestFacts } from '../../audit/request-facts.js';
import type { ClientRegistry } from '../../clients/client.js';
import { readForm } from '../form-body.js';
import type { Revoker } from '../../sessions/revoker.js';
import type { Store } from '../../store/store.js';
import {
  looksLikeRefreshToken,
  readRefreshToken,
  revokeRefreshFamily,
} from '../../tokens/refresh-token.js';
import { createOwnAccessTokenCheck, type OwnTokenDeps } from '../bearer/own-access-token.js';
import { authenticateClient, namedClient } from '../client-auth/authenticate-client.js';
import { allowClientOrigin, type BrowserOrigins } from '../cors.js';
import { InvalidRequestError } from '../oauth-errors.js';

/**
 * POST /revoke (RFC 7009). The client authenticates as at /token (a public client with its
 * client_id). `token_type_hint` is only a hint (§2.1): the token's shape says what it is.
 *
 * - A refresh token of this client: its family (the grant of one code redemption) is ended.
 *   The SSO session stays, as with Auth0 and Keycloak: an app forgetting its grant is not the
 *   user signing out everywhere (that is /logout). Access tokens of that grant are not
 *   individually revocable and lapse within ACCESS_TOKEN_TTL.
 * - An access token of this client that belongs to a session: the session is revoked through
 *   the revoker, so every SDK drops every token of it within milliseconds. A JWT cannot be
 *   revoked alone without a per-token list every verifier would have to load; the session is
 *   the unit revocation travels in.
 * - Anything else (unknown, malformed, expired, another client's, a machine token): 200 and
 *   no action (§2.2), so the endpoint tells nobody whether a token exists.
 */
export function revokeRoute(
  deps: OwnTokenDeps & {
    clients: ClientRegistry;
    store: Store;
    revoker: Revoker;
    audit: AuditTrail;
    /** Browser origins (oauth/cors.ts); without it, no CORS headers. */
    origins?: BrowserOrigins;
  },
): Middleware {
  const checkAccessToken = createOwnAccessTokenCheck(deps);
  return async (ctx) => {
    const form = await readForm(ctx);
    if (deps.origins)
      allowClientOrigin(ctx, deps.origins, () => namedClient(ctx, form, deps.clients));
    const client = authenticateClient(ctx, form, deps.clients);
    const token = form.single('token');
    if (token === undefined) throw new InvalidRequestError('token is required');
    // Only what was revoked is recorded: the rest is 200 and no action (§2.2).
    const audited = (kind: string, about: { subject: string; session: string }) =>
      deps.audit.record({
        type: 'token.revoked',
        actor: { kind: 'client', id: client.id },
        client: client.id,
        ...about,
        request: requestFacts(ctx),
        detail: { revoked: kind },
      });

    if (looksLikeRefreshToken(token)) {
      const presented = await readRefreshToken(deps.store, token);
      if (presented?.grant.clientId === client.id) {
        await revokeRefreshFamily(deps.store, presented.familyId);
        const { sid, sub } = presented.grant;
        await audited('refresh_token', { subject: sub, session: sid });
      }
    } else {
      const active = await checkAccessToken(token);
      const sid = active?.claims.sid;
      if (active && sid !== undefined && active.claims.client_id === client.id) {
        await deps.revoker.revokeSession({ sid, sub: active.claims.sub }, 'token_revoked');
        await audited('access_token', { subject: active.claims.sub, session: sid });
      }
    }
    ctx.set('Cache-Control', 'no-store');
    ctx.status = 200;
    ctx.body = '';
    // §2.2: 200 with no content. No Content-Type either: Koa's text/plain for the empty
    // string makes clients that accept only JSON answers (oidc-client-ts) throw.
    ctx.remove('Content-Type');
  };
}
