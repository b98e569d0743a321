import type { Client } from '../../clients/client.js';
import type { Config } from '../../config/config.js';
import { AuthorizationPageError } from '../authorize/authorization-errors.js';
import { AuthorizeParams } from '../authorize/authorize-params.js';
import { pageOnError } from '../authorize/check-client.js';
import { InvalidRequestError } from '../oauth-errors.js';
import { REQUEST_URI_PREFIX, type PushedRequests } from './pushed-requests.js';

/**
 * The parameters /authorize works from (RFC 9126 §4): with a `request_uri`, the request that
 * client pushed, taken once, and nothing else of the URL (§4: other parameters are ignored);
 * without one, the URL's own. Every failure is a page: until the pushed request is read, there
 * is no redirect URI to trust. A `request_uri` that is not one of our URNs would name a request
 * object to fetch (OIDC Core §6.2): validate-authorization-request.ts refuses it.
 */
export async function pushedOrOwnParams(
  params: AuthorizeParams,
  pushed: PushedRequests,
): Promise<{ params: AuthorizeParams; pushed: boolean }> {
  const requestUri = pageOnError(() => params.single('request_uri'));
  if (requestUri === undefined || !requestUri.startsWith(REQUEST_URI_PREFIX)) {
    return { params, pushed: false };
  }
  // §4 (and RFC 9101 §5): client_id travels beside request_uri, and must be its pusher.
  const clientId = pageOnError(() => params.single('client_id'));
  if (clientId === undefined) {
    throw new AuthorizationPageError('invalid_request', 'client_id is missing.');
  }
  const outcome = await pushed.take(requestUri, clientId);
  if (outcome.kind === 'other-client') {
    throw new AuthorizationPageError(
      'invalid_request',
      'The request_uri was not issued to this application.',
    );
  }
  if (outcome.kind === 'invalid') {
    throw new AuthorizationPageError(
      'invalid_request_uri',
      'The request_uri is unknown, expired or already used.',
    );
  }
  return { params: new AuthorizeParams(outcome.params), pushed: true };
}

/**
 * RFC 9126 §5: a client registered with `require_pushed_authorization_requests`, or any client
 * when REQUIRE_PAR=true, may start a login only through a pushed request.
 */
export function checkPushRequired(client: Client, config: Config, pushed: boolean): void {
  if (pushed) return;
  if (config.requirePar || client.requirePushedAuthorizationRequests === true) {
    throw new InvalidRequestError('this client must use pushed authorization requests');
  }
}
