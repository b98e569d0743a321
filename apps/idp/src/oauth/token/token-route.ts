import type { Context, Middleware } from 'koa';
import type { AuditTrail } from '../../audit/audit-trail.js';
import { requestFacts } from '../../audit/request-facts.js';
import type { Client, ClientRegistry } from '../../clients/client.js';
import { readForm, type FormParams } from '../form-body.js';
import { authenticateClient, namedClient } from '../client-auth/authenticate-client.js';
import { allowClientOrigin, type BrowserOrigins } from '../cors.js';
import {
  InvalidClientError,
  InvalidRequestError,
  OAuthError,
  UnsupportedGrantTypeError,
} from '../oauth-errors.js';
import { authorizationCodeGrant } from './authorization-code-grant.js';
import { DEVICE_CODE_GRANT } from '../../clients/client.js';
import { DevicePollError } from '../device/device-errors.js';
import { clientCredentialsGrant } from './client-credentials-grant.js';
import { deviceCodeGrant } from './device-code-grant.js';
import { refreshTokenGrant } from './refresh-token-grant.js';
import { createDpopCheck } from '../dpop/dpop-check.js';
import { InvalidDpopProofError } from '../dpop/dpop-errors.js';
import type { DpopBinding, TokenResponse, UserGrantContext } from './token-response.js';

type Grant = (
  client: Client,
  form: FormParams,
  deps: UserGrantContext,
  binding: DpopBinding,
) => Promise<TokenResponse>;

const GRANTS = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
  client_credentials: clientCredentialsGrant,
  [DEVICE_CODE_GRANT]: deviceCodeGrant,
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
  deps: UserGrantContext & {
    clients: ClientRegistry;
    limitClient?: ClientLimit;
    /** Told of each token response sent (the metrics count them by grant and client). */
    issued?: (grantType: string, clientId: string) => void;
    /** Browser origins (oauth/cors.ts); without it, no CORS headers. */
    origins?: BrowserOrigins;
  },
): Middleware {
  const checkDpop = createDpopCheck(deps);
  return async (ctx) => {
    const form = await readForm(ctx);
    // Decided on the body, before anything can fail: an allowed page reads the errors too.
    if (deps.origins)
      allowClientOrigin(ctx, deps.origins, () => namedClient(ctx, form, deps.clients));
    const grantType = form.single('grant_type');
    if (grantType === undefined) throw new InvalidRequestError('grant_type is required');
    // The grant type is checked before the client so that an unsupported grant is reported
    // as such (§5.2) even to a client whose credentials are also wrong.
    if (!Object.hasOwn(GRANTS, grantType)) {
      throw new UnsupportedGrantTypeError(`grant_type ${grantType} is not supported`);
    }
    let client: Client | undefined;
    let response: TokenResponse;
    try {
      client = authenticateClient(ctx, form, deps.clients);
      await deps.limitClient?.(client.id);
      const jkt = await checkDpop(ctx, 'token', '/token');
      // RFC 9449 §5.2: a client registered with dpop_bound_access_tokens gets no bearer token.
      if (jkt === undefined && client.dpopBoundAccessTokens === true) {
        throw new InvalidDpopProofError('this client must send a DPoP proof', 'token');
      }
      response = await GRANTS[grantType as keyof typeof GRANTS](client, form, deps, { jkt });
    } catch (error) {
      if (error instanceof OAuthError)
        await auditRefusal(deps.audit, ctx, error, grantType, client);
      throw error;
    }
    // §5.1: token responses must never be cached. Headers straight onto the response and the
    // body serialised here: Koa would look the JSON type up in mime-db for every answer.
    const { res } = ctx;
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    ctx.body = JSON.stringify(response);
    deps.issued?.(grantType, client.id);
  };
}

/**
 * A refused grant, or a client that failed to authenticate, as the audit trail records it:
 * the `error` the client saw and the detail it did not (which check refused). A rate-limit
 * refusal is not recorded here: it is counted, and a flood would flood the trail; nor is a
 * device's routine poll (authorization_pending, slow_down).
 */
async function auditRefusal(
  audit: AuditTrail,
  ctx: Context,
  error: OAuthError,
  grantType: string,
  client: Client | undefined,
): Promise<void> {
  if (error.status === 429 || (error instanceof DevicePollError && error.routine)) return;
  const failedAuth = error instanceof InvalidClientError;
  const clientId = client?.id ?? (failedAuth ? error.presentedClientId : undefined);
  await audit.record({
    type: failedAuth ? 'client.authentication_failed' : 'grant.refused',
    ...(client && { actor: { kind: 'client', id: client.id } }),
    client: clientId?.slice(0, 200),
    request: requestFacts(ctx),
    detail: {
      error: error.error,
      grant_type: grantType,
      ...(error.detail !== undefined && { detail: error.detail }),
    },
  });
}
