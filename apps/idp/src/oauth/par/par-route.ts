import type { Middleware } from 'koa';
import type { Client, ClientRegistry } from '../../clients/client.js';
import { AuthorizationPageError } from '../authorize/authorization-errors.js';
import { AuthorizeParams } from '../authorize/authorize-params.js';
import { checkClientAndRedirectUri } from '../authorize/check-client.js';
import { validateAuthorizationRequest } from '../authorize/validate-authorization-request.js';
import { authenticateClient } from '../client-auth/authenticate-client.js';
import { readForm, type FormParams } from '../form-body.js';
import type { DpopCheck } from '../dpop/dpop-check.js';
import { InvalidDpopProofError } from '../dpop/dpop-errors.js';
import { InvalidRequestError, OAuthError } from '../oauth-errors.js';
import type { ClientLimit } from '../token/token-route.js';
import type { PushedRequests } from './pushed-requests.js';

/** Client credentials: they authenticate the push and are never kept with the request. */
const CREDENTIALS = new Set(['client_secret', 'client_assertion', 'client_assertion_type']);

/**
 * POST /par (RFC 9126 §2): the client authenticates as at /token, pushes the parameters it
 * would have put in the /authorize URL, and gets a `request_uri` standing for them. They are
 * checked here as /authorize checks them (§2.1), so that a bad request is refused to the client
 * directly rather than to the browser; /authorize checks them again when they are used.
 */
export function parRoute(deps: {
  clients: ClientRegistry;
  pushed: PushedRequests;
  /** Checks a DPoP proof sent with the push (RFC 9449 §10.1). */
  checkDpop: DpopCheck;
  limitClient?: ClientLimit;
}): Middleware {
  return async (ctx) => {
    // The same bounds as a form POSTed to /authorize (authorize-params.ts).
    const form = await readForm(ctx, { maxBytes: 32 * 1024, maxValueLength: 32 * 1024 });
    const client = authenticateClient(ctx, form, deps.clients);
    await deps.limitClient?.(client.id);
    const params = pushedParams(form, client);
    // §2.1: a pushed request must not itself point at another one.
    if (params.has('request_uri')) {
      throw new InvalidRequestError('request_uri must not be sent to the pushed request endpoint');
    }
    bindDpopKey(params, await deps.checkDpop(ctx, 'token', '/par'));
    checkPushedRequest(new AuthorizeParams(params), client, deps.clients);
    const { requestUri, expiresInSec } = await deps.pushed.push(client.id, params);
    // §2.2: 201, and never cached (it stands for the request until used).
    ctx.status = 201;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { request_uri: requestUri, expires_in: expiresInSec };
  };
}

/**
 * The authorization parameters of the push: every form parameter but the credentials, with
 * `client_id` that of the authenticated client (authenticate-client.ts refuses a posted one
 * that differs; a client using Basic may leave it out).
 */
function pushedParams(form: FormParams, client: Client): Map<string, string[]> {
  const params = new Map<string, string[]>();
  for (const name of form.names()) {
    if (!CREDENTIALS.has(name)) params.set(name, form.all(name));
  }
  params.set('client_id', [client.id]);
  return params;
}

/**
 * RFC 9449 §10.1: a DPoP proof sent with the push binds the code as `dpop_jkt` would; when
 * both come, they must name the same key.
 */
function bindDpopKey(params: Map<string, string[]>, jkt: string | undefined): void {
  if (jkt === undefined) return;
  const named = params.get('dpop_jkt');
  if (named === undefined) {
    params.set('dpop_jkt', [jkt]);
  } else if (named.length !== 1 || named[0] !== jkt) {
    throw new InvalidDpopProofError('dpop_jkt does not name the key of the DPoP proof', 'token');
  }
}

/** §2.1: the checks of /authorize that need no user, each failure a JSON error (§2.3). */
function checkPushedRequest(
  params: AuthorizeParams,
  client: Client,
  clients: ClientRegistry,
): void {
  try {
    const { redirectUri } = checkClientAndRedirectUri(params, clients);
    validateAuthorizationRequest(params, client, redirectUri, params.single('state'));
  } catch (error) {
    // At /authorize these are pages (no redirect URI to trust); here the client is told.
    if (error instanceof AuthorizationPageError) {
      throw new OAuthError(error.error, 400, error.description);
    }
    throw error;
  }
}
