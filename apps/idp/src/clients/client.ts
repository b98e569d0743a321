import type { SigningAlgorithm } from '@latchkey/protocol';

export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';
export type GrantType =
  'authorization_code' | 'refresh_token' | 'client_credentials' | typeof DEVICE_CODE_GRANT;
/** RFC 8628 §3.4. */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/**
 * A registered client, as CLIENTS_FILE or the admin API registered it (kept in PostgreSQL,
 * clients/client-repository.ts). Secrets exist only as SHA-256 digests.
 */
export interface Client {
  readonly id: string;
  readonly name: string;
  /** Null for public clients (auth method `none`, PKCE only). */
  readonly secretDigest: Buffer | null;
  readonly authMethod: TokenEndpointAuthMethod;
  readonly grantTypes: readonly GrantType[];
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris: readonly string[];
  /** Scopes beyond the OpenID ones that this client may ask for. */
  readonly scopes: readonly string[];
  /** RFC 8707 resource indicators (APIs) this client may get tokens for; the default `aud`. */
  readonly resources: readonly string[];
  readonly idTokenSignedResponseAlg: SigningAlgorithm;
  /** OIDC Registration `application_type`; `native` (RFC 8252) changes redirect URI rules. */
  readonly applicationType?: 'web' | 'native';
  /**
   * OIDC Back-Channel Logout 1.0 §2.2: where the IdP POSTs a logout token when a session the
   * client took part in ends. Absent: the client is not told.
   */
  readonly backchannelLogoutUri?: string;
  /** §2.2: the client needs `sid` in every logout token (default false). */
  readonly backchannelLogoutSessionRequired?: boolean;
  /**
   * `require_mfa`: every login to this client needs a second factor (acr
   * `urn:latchkey:acr:mfa`), whatever the request asks. Default false.
   */
  readonly requireMfa?: boolean;
  /**
   * `id_token_on_refresh`: a refresh answer carries a new ID token. Default false: OIDC Core
   * §12.2 lets it leave one out, the client keeps the login's, and the ID token's signature is
   * most of a refresh's cost. A client that reads fresh claims from it asks for one.
   */
  readonly idTokenOnRefresh?: boolean;
  /** RFC 9449 §5.2 `dpop_bound_access_tokens`: every token request needs a DPoP proof. */
  readonly dpopBoundAccessTokens?: boolean;
  /**
   * `web_origins`: browser origins (`scheme://host[:port]`) that may call /token, /revoke and
   * /userinfo besides those of the redirect URIs (oauth/cors.ts).
   */
  readonly webOrigins?: readonly string[];
  /** RFC 9126 §5 `require_pushed_authorization_requests`: /authorize takes only a request_uri. */
  readonly requirePushedAuthorizationRequests?: boolean;
  /**
   * `first_party`: the operator's own application, which the user is never asked to consent
   * to (default true). False: a third party; the user is asked before it gets any scope
   * (oauth/consent/).
   */
  readonly firstParty?: boolean;
}

/** Who keeps a stored registration: CLIENTS_FILE (until the API changes it) or the admin API. */
export type ClientManager = 'file' | 'api';

/** A client as the table holds it. */
export interface StoredClient extends Client {
  readonly managedBy: ClientManager;
  /** Grows with every change. */
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/**
 * The clients as the endpoints read them: from memory, synchronously, because `find` sits on
 * the hot path of /token.
 */
export interface ClientRegistry {
  find(id: string): Client | undefined;
  all(): readonly Client[];
}

/** A fixed list (unit tests, tools): see stored-client-registry.ts for the IdP's own. */
export function createClientRegistry(clients: readonly Client[]): ClientRegistry {
  const byId = new Map(clients.map((client) => [client.id, client]));
  return { find: (id) => byId.get(id), all: () => clients };
}
