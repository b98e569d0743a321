import type { Context } from 'koa';
import type { Client, ClientRegistry } from '../../clients/client.js';
import { digestSecret, secretMatches } from '../../clients/client-secret.js';
import type { FormParams } from '../form-body.js';
import { decodeFormComponent } from '../form-urlencoded.js';
import { InvalidClientError, InvalidRequestError } from '../oauth-errors.js';

/**
 * Client authentication at the token, revocation and introspection endpoints
 * (RFC 6749 §2.3.1): `client_secret_basic`, `client_secret_post`, or `none` for public clients.
 * A client must use the method it registered; using two at once is refused (§2.3).
 */
export function authenticateClient(
  ctx: Context,
  form: FormParams,
  clients: ClientRegistry,
): Client {
  const basic = parseBasic(ctx.get('Authorization'));
  const postedId = form.single('client_id');
  const postedSecret = form.single('client_secret');

  if (basic && postedSecret !== undefined) {
    throw new InvalidRequestError('use one client authentication method, not two');
  }
  if (basic && postedId !== undefined && postedId !== basic.id) {
    throw new InvalidRequestError('client_id does not match the Authorization header');
  }

  const id = basic?.id ?? postedId;
  if (id === undefined) throw new InvalidClientError('client authentication is required', false);
  const client = clients.find(id);
  const method = basic
    ? 'client_secret_basic'
    : postedSecret !== undefined
      ? 'client_secret_post'
      : 'none';
  const secret = basic?.secret ?? postedSecret ?? '';

  // Same work whether or not the client exists, so timing does not reveal valid client ids.
  const digest = client?.secretDigest ?? UNKNOWN_CLIENT_DIGEST;
  const secretOk = secretMatches(digest, secret);

  if (!client || client.authMethod !== method || (method !== 'none' && !secretOk)) {
    const error = new InvalidClientError('client authentication failed', basic !== null);
    error.presentedClientId = id;
    throw error.withDetail(
      !client
        ? 'unknown client'
        : client.authMethod !== method
          ? `${method} used, ${client.authMethod} registered`
          : 'wrong secret',
    );
  }
  return client;
}

/**
 * The client a request names, authenticated or not (the body's client_id, else the Basic
 * header's): what the CORS check of /token and /revoke goes by (oauth/cors.ts).
 */
export function namedClient(
  ctx: Context,
  form: FormParams,
  clients: ClientRegistry,
): Client | undefined {
  let id = form.single('client_id');
  if (id === undefined) {
    try {
      id = parseBasic(ctx.get('Authorization'))?.id;
    } catch {
      return undefined;
    }
  }
  return id === undefined ? undefined : clients.find(id);
}

const UNKNOWN_CLIENT_DIGEST = digestSecret('\u0000no client has this secret\u0000');

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before they are base64-encoded. */
function parseBasic(header: string): { id: string; secret: string } | null {
  if (!header) return null;
  const match = /^Basic ([A-Za-z0-9+/]+=*)$/i.exec(header.trim());
  if (!match?.[1]) throw new InvalidClientError('malformed Basic authorization header', true);
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) throw new InvalidClientError('malformed Basic authorization header', true);
  try {
    return {
      id: decodeFormComponent(decoded.slice(0, colon)),
      secret: decodeFormComponent(decoded.slice(colon + 1)),
    };
  } catch {
    throw new InvalidClientError('malformed Basic authorization header', true);
  }
}
