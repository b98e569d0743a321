import type { Client, StoredClient } from './client.js';

/**
 * A client as RFC 7591 §3.2.1 metadata, for the admin API: every registered field under its
 * registration name, never the secret nor its digest.
 */
export function clientMetadata(client: StoredClient): Record<string, unknown> {
  return {
    ...registrationFields(client),
    managed_by: client.managedBy,
    version: client.version,
    created_at: client.createdAt.toISOString(),
    updated_at: client.updatedAt.toISOString(),
  };
}

/**
 * The registration that would produce `client` again, digest included
 * (`client_secret_sha256`): what a partial update is laid over before it is validated anew.
 */
export function registrationOf(client: Client): Record<string, unknown> {
  return {
    ...registrationFields(client),
    ...(client.secretDigest && { client_secret_sha256: client.secretDigest.toString('base64') }),
  };
}

function registrationFields(client: Client): Record<string, unknown> {
  return {
    client_id: client.id,
    client_name: client.name,
    token_endpoint_auth_method: client.authMethod,
    grant_types: [...client.grantTypes],
    redirect_uris: [...client.redirectUris],
    post_logout_redirect_uris: [...client.postLogoutRedirectUris],
    scope: client.scopes.join(' '),
    resources: [...client.resources],
    id_token_signed_response_alg: client.idTokenSignedResponseAlg,
    ...(client.backchannelLogoutUri !== undefined && {
      backchannel_logout_uri: client.backchannelLogoutUri,
    }),
    backchannel_logout_session_required: client.backchannelLogoutSessionRequired ?? false,
    require_mfa: client.requireMfa ?? false,
    application_type: client.applicationType ?? 'web',
    dpop_bound_access_tokens: client.dpopBoundAccessTokens ?? false,
    web_origins: [...(client.webOrigins ?? [])],
    require_pushed_authorization_requests: client.requirePushedAuthorizationRequests ?? false,
    first_party: client.firstParty ?? true,
    id_token_on_refresh: client.idTokenOnRefresh ?? false,
  };
}
