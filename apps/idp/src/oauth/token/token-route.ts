import type { Middleware } from 'koa';
import type { ClientRegistry } from '../../clients/client.js';
import { readForm } from '../../http/form-body.js';
import { authenticateClient } from '../client-auth/authenticate-client.js';
import { InvalidRequestError, UnsupportedGrantTypeError } from '../oauth-errors.js';
import { clientCredentialsGrant } from './client-credentials-grant.js';
import type { GrantContext } from './token-response.js';

export const SUPPORTED_GRANT_TYPES = ['client_credentials'] as const;

/** POST /token (RFC 6749 §3.2): authenticate the client, then run the grant it asks for. */
export function tokenRoute(deps: GrantContext & { clients: ClientRegistry }): Middleware {
  return async (ctx) => {
    const form = await readForm(ctx);
    const grantType = form.single('grant_type');
    if (grantType === undefined) throw new InvalidRequestError('grant_type is required');
    // The grant type is checked before the client so that an unsupported grant is reported
    // as such (§5.2) even to a client whose credentials are also wrong.
    if (!(SUPPORTED_GRANT_TYPES as readonly string[]).includes(grantType)) {
      throw new UnsupportedGrantTypeError(`grant_type ${grantType} is not supported`);
    }
    const client = authenticateClient(ctx, form, deps.clients);
    const response = await clientCredentialsGrant(client, form, deps);
    // §5.1: token responses must never be cached.
    ctx.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
    ctx.body = response;
  };
}
