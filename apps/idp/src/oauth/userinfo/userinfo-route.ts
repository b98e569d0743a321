import type { Context, Middleware } from 'koa';
import { readForm } from '../form-body.js';
import { scopedUserClaims } from '../../tokens/id-token.js';
import type { UserRepository } from '../../users/user.js';
import type { ClientRegistry } from '../../clients/client.js';
import { allowOrigin, corsPreflight, withdrawOrigin, type BrowserOrigins } from '../cors.js';
import {
  BearerRequestError,
  InsufficientScopeError,
  InvalidTokenError,
} from '../bearer/bearer-errors.js';
import { createOwnAccessTokenCheck, type OwnTokenDeps } from '../bearer/own-access-token.js';
import { checkDpopBinding, DpopBindingError } from '@latchkey/protocol/jwt';
import { createDpopCheck, type DpopCheckDeps } from '../dpop/dpop-check.js';
import { DpopInvalidTokenError, InvalidDpopProofError } from '../dpop/dpop-errors.js';

/**
 * GET|POST /userinfo (OIDC Core §5.3, RFC 6750): the claims of the user an access token was
 * issued for, as far as its scope releases them (§5.4). Only tokens this IdP issued, still
 * within their lifetime, whose session still exists and whose scope has `openid`.
 */
export function userinfoRoute(
  deps: OwnTokenDeps & DpopCheckDeps & { users: UserRepository },
): Middleware {
  const check = createOwnAccessTokenCheck(deps);
  const checkDpop = createDpopCheck(deps);
  return async (ctx) => {
    const presented = await presentedToken(ctx);
    if (presented === undefined) {
      throw new InvalidTokenError('an access token is required', { tokenPresented: false });
    }
    const { token, scheme } = presented;
    const active = await check(token);
    if (!active || active.session === null) {
      // A machine token has no user; it is no more valid here than an expired one.
      const description = 'the access token is invalid, expired or revoked';
      if (scheme === 'DPoP') throw new DpopInvalidTokenError(description);
      throw new InvalidTokenError(description, { tokenPresented: true });
    }
    // RFC 9449 §7.1: with the DPoP scheme the proof must come too, and name this token (ath).
    // Checked after the token, so that only holders of a genuine token write proof records.
    const jkt =
      scheme === 'DPoP' ? await checkDpop(ctx, 'resource', '/userinfo', token) : undefined;
    if (scheme === 'DPoP' && jkt === undefined) {
      throw new InvalidDpopProofError('the DPoP scheme needs a DPoP proof header', 'resource');
    }
    try {
      checkDpopBinding(active.claims, jkt);
    } catch (error) {
      // §7.2: a bound token sent as Bearer is challenged with the DPoP scheme.
      if (error instanceof DpopBindingError) throw new DpopInvalidTokenError(error.message);
      throw error;
    }
    const scope = active.claims.scope?.split(' ') ?? [];
    if (!scope.includes('openid')) throw new InsufficientScopeError('openid');
    const user = await deps.users.findById(active.claims.sub);
    // A disabled user's token is dead here even if a session of theirs survived.
    if (user?.state !== 'active') {
      throw new InvalidTokenError('the user of this token no longer exists or is disabled', {
        tokenPresented: true,
      });
    }
    (ctx.state as { tokenClientId?: string }).tokenClientId = active.claims.client_id;
    ctx.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
    ctx.body = { sub: user.id, ...scopedUserClaims(user, scope), roles: [...user.roles] };
  };
}

/**
 * RFC 6750 §2: the Authorization header, or (POST only) the form field `access_token`; never
 * both. The query string (§2.3) is refused: URLs end up in logs and Referer headers.
 */
async function presentedToken(
  ctx: Context,
): Promise<{ token: string; scheme: 'Bearer' | 'DPoP' } | undefined> {
  if (new URLSearchParams(ctx.querystring).has('access_token')) {
    throw new BearerRequestError('send the access token in the Authorization header');
  }
  const header = ctx.get('Authorization');
  let fromHeader: string | undefined;
  let scheme: 'Bearer' | 'DPoP' = 'Bearer';
  if (header) {
    const match = /^(Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
    if (!match) throw new BearerRequestError('malformed Authorization header');
    scheme = match[1]!.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
    fromHeader = match[2];
  }
  let fromBody: string | undefined;
  if (ctx.method === 'POST' && ctx.is('application/x-www-form-urlencoded')) {
    fromBody = (await readForm(ctx)).single('access_token');
  }
  if (fromHeader !== undefined && fromBody !== undefined) {
    throw new BearerRequestError('send the access token one way only');
  }
  const token = fromHeader ?? fromBody;
  return token === undefined ? undefined : { token, scheme };
}

/**
 * CORS at /userinfo: a browser origin of any registered client is let read the answer (an
 * error included); once the token is known to be good, only an origin of the client it was
 * issued to (its `client_id`), so a page cannot use another client's token from the browser.
 */
export function userinfoCors(deps: { origins: BrowserOrigins; clients: ClientRegistry }): {
  preflight: Middleware;
  request: Middleware;
} {
  return {
    preflight: corsPreflight(deps.origins, 'GET, POST'),
    request: async (ctx, next) => {
      const origin = ctx.get('Origin');
      if (origin) {
        ctx.vary('Origin');
        if (deps.origins.ofAnyClient(origin)) allowOrigin(ctx, origin);
      }
      await next();
      const clientId = (ctx.state as { tokenClientId?: string }).tokenClientId;
      if (!origin || clientId === undefined) return;
      const client = deps.clients.find(clientId);
      if (!client || !deps.origins.ofClient(client, origin)) withdrawOrigin(ctx);
    },
  };
}
