import { SSF_MANAGE_SCOPE, ssfAudience } from '@latchkey/protocol';
import type { Context, Middleware } from 'koa';
import {
  BearerRequestError,
  InsufficientScopeError,
  InvalidTokenError,
} from '../oauth/bearer/bearer-errors.js';
import { createOwnAccessTokenCheck, type OwnTokenDeps } from '../oauth/bearer/own-access-token.js';

/** Set on `ctx.state` by receiverAuth: the client id of the authenticated receiver. */
export interface ReceiverState {
  receiver: string;
}

/**
 * SSF 1.0 §8.1 with the authorization scheme we publish (RFC 6749): the receiver presents an
 * access token Latchkey issued it by client_credentials, audienced to the SSF API
 * (`<issuer>/ssf`, RFC 8707) and carrying `ssf.manage`. A user's token is refused even with
 * the scope: a stream belongs to a client, not to a person.
 */
export function receiverAuth(deps: OwnTokenDeps): Middleware {
  const check = createOwnAccessTokenCheck(deps);
  const audience = ssfAudience(deps.config.issuer);
  return async (ctx, next) => {
    const token = bearerFromHeader(ctx);
    const active = token === undefined ? null : await check(token);
    if (token === undefined) {
      throw new InvalidTokenError('an access token is required', { tokenPresented: false });
    }
    if (!active || active.session !== null || active.claims.client_id !== active.claims.sub) {
      throw new InvalidTokenError('the access token is invalid, expired or not a client token', {
        tokenPresented: true,
      });
    }
    const aud = active.claims.aud;
    if (!(Array.isArray(aud) ? aud : [aud]).includes(audience)) {
      throw new InvalidTokenError(`the access token is not for ${audience}`, {
        tokenPresented: true,
      });
    }
    if (!(active.claims.scope?.split(' ') ?? []).includes(SSF_MANAGE_SCOPE)) {
      throw new InsufficientScopeError(SSF_MANAGE_SCOPE);
    }
    (ctx.state as ReceiverState).receiver = active.claims.client_id;
    await next();
  };
}

/** RFC 6750 §2.1 only: no form or query tokens on a JSON API. */
function bearerFromHeader(ctx: Context): string | undefined {
  const header = ctx.get('Authorization');
  if (!header) return undefined;
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  if (!match) throw new BearerRequestError('malformed Authorization header');
  return match[1];
}
