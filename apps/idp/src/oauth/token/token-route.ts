import type { Middleware } from 'koa';
import type { Client, ClientRegistry } from '../../clients/client.js';
import { readForm, type FormParams } from '../form-body.js';
import { authenticateClient } from '../client-auth/authenticate-client.js';
import { InvalidRequestError, UnsupportedGrantTypeError } from '../oauth-errors.js';
import { authorizationCodeGrant } from './authorization-code-grant.js';
import { clientCredentialsGrant } from './client-credentials-grant.js';
import { refreshTokenGrant } from './refresh-token-grant.js';
import type { TokenResponse, UserGrantContext } from './token-response.js';

type Grant = (client: Client, form: FormParams, deps: UserGrantContext) => Promise<TokenResponse>;

const GRANTS = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
  client_credentials: clientCredentialsGrant,
} satisfies Record<string, Grant>;

/**
 * Counts a request against an authenticated client (limits/koa-rate-limit.ts makes one); it
 * throws to refuse. Declared here so that the endpoint needs nothing of the limiter.
 */
export type ClientLimit = (clientId: string) => Promise<void>;

export const SUPPORTED_GRANT_TYPES = Object.keys(GRANTS) as (keyof typeof GRANTS)[];

/**
 * POST /token (RFC 6749 §3.2): authenticate the client, then run the grant it asks for.
 * `limitClient` counts the request against the client only once it authenticated, so that
 * nobody can use up another client's rate by sending its client_id with a wrong secret.
 */
export function tokenRoute(
  deps: UserGrantContext & { clients: ClientRegistry; limitClient?: ClientLimit },
): Middleware {
  return async (ctx) => {
    const form = await readForm(ctx);
    const grantType = form.single('grant_type');
    if (grantType === undefined) throw new InvalidRequestError('grant_type is required');
    // The grant type is checked before the client so that an unsupported grant is reported
    // as such (§5.2) even to a client whose credentials are also wrong.
    if (!Object.hasOwn(GRANTS, grantType)) {
      throw new UnsupportedGrantTypeError(`grant_type ${grantType} is not supported`);
    }
    const client = authenticateClient(ctx, form, deps.clients);
    await deps.limitClient?.(client.id);
    const response = await GRANTS[grantType as keyof typeof GRANTS](client, form, deps);
    // §5.1: token responses must never be cached. Headers straight onto the response and the
    // body serialised here: Koa would look the JSON type up in mime-db for every answer.
    const { res } = ctx;
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    ctx.body = JSON.stringify(response);
  };
}
