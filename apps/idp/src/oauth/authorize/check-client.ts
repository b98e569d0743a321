import type { Client, ClientRegistry } from '../../clients/client.js';
import { InvalidRequestError } from '../oauth-errors.js';
import { AuthorizationPageError } from './authorization-errors.js';
import type { AuthorizeParams } from './authorize-params.js';
import { redirectUriMatches } from './redirect-uri-match.js';

/**
 * RFC 6749 §4.1.2.1 and OAuth 2.1 §4.1.1: a registered client and one of its registered
 * redirect URIs, compared as exact strings (no prefix, no normalisation; a native client's
 * loopback URI may differ in its port, RFC 8252 §7.3: redirect-uri-match.ts). OIDC Core §3.1.2.1
 * makes `redirect_uri` required even for a client with a single one. Every failure here is a
 * page, never a redirect.
 */
export function checkClientAndRedirectUri(
  params: AuthorizeParams,
  clients: ClientRegistry,
): { client: Client; redirectUri: string } {
  const clientId = pageOnError(() => params.single('client_id'));
  if (clientId === undefined)
    throw new AuthorizationPageError('invalid_request', 'client_id is missing.');
  const client = clients.find(clientId);
  if (!client)
    throw new AuthorizationPageError('invalid_client', 'The application is not registered here.');

  const redirectUri = pageOnError(() => params.single('redirect_uri'));
  if (redirectUri === undefined) {
    throw new AuthorizationPageError('invalid_request', 'redirect_uri is missing.');
  }
  if (!redirectUriMatches(client, redirectUri)) {
    throw new AuthorizationPageError(
      'invalid_request',
      'redirect_uri is not registered for this application.',
    );
  }
  return { client, redirectUri };
}

/** Reads a parameter whose fault is a page (repeated, too long), not a redirect. */
export function pageOnError<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof InvalidRequestError) {
      throw new AuthorizationPageError('invalid_request', error.description);
    }
    throw error;
  }
}
