import { DPOP_SIGNING_ALGORITHMS } from '@latchkey/protocol/jwt';
import type { Middleware } from 'koa';
import { ACR_VALUES_SUPPORTED } from '../../sessions/assurance.js';
import type { Config } from '../../config/config.js';
import { SUPPORTED_LOCALES } from '../../i18n/locales.js';
import { keyPolicyFor } from '../../keys/key-policy.js';
import { SUPPORTED_GRANT_TYPES } from '../token/token-route.js';

const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'];

/**
 * Provider metadata (OIDC Discovery 1.0 §3, RFC 8414 §2). It lists only what this IdP
 * really implements today: a client that trusts it must never meet an advertised feature
 * that answers 404.
 */
function buildProviderMetadata(config: Config): Record<string, unknown> {
  const url = (path: string) => `${config.issuer}${path}`;
  return {
    issuer: config.issuer,
    authorization_endpoint: url('/authorize'),
    token_endpoint: url('/token'),
    userinfo_endpoint: url('/userinfo'),
    jwks_uri: url('/jwks'),
    revocation_endpoint: url('/revoke'),
    introspection_endpoint: url('/introspect'),
    end_session_endpoint: url('/logout'),
    // RFC 8628 §4.
    device_authorization_endpoint: url('/device_authorization'),
    // RFC 9126 §5; REQUIRE_PAR=true makes every client push (a client may require it alone).
    pushed_authorization_request_endpoint: url('/par'),
    require_pushed_authorization_requests: config.requirePar,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: [...SUPPORTED_GRANT_TYPES],
    // OAuth 2.1: PKCE always, and only the method that does not reveal the verifier.
    code_challenge_methods_supported: ['S256'],
    dpop_signing_alg_values_supported: [...DPOP_SIGNING_ALGORITHMS],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    claims_supported: [
      'sub',
      'iss',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'nonce',
      'sid',
      'azp',
      'at_hash',
      'amr',
      'acr',
      'preferred_username',
      'name',
      'email',
      'email_verified',
      'roles',
    ],
    subject_types_supported: ['public'],
    // OIDC Core §2 / Discovery §3: the levels `acr_values` may ask for, lowest first
    // (sessions/assurance.ts): a password, and two kinds of factor.
    acr_values_supported: [...ACR_VALUES_SUPPORTED],
    // Whatever the key policy keeps an active key for; clients registering another alg are
    // refused at start-up.
    id_token_signing_alg_values_supported: keyPolicyFor(config).algorithms,
    // RFC 9068 access tokens are JWTs signed with this algorithm.
    access_token_signing_alg_values_supported: [config.accessTokenAlg],
    token_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS, 'none'],
    revocation_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS, 'none'],
    // Public clients may not introspect (RFC 7662 §4).
    introspection_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    prompt_values_supported: ['none', 'login'],
    // RFC 9207: the authorization response carries `iss`.
    authorization_response_iss_parameter_supported: true,
    // OIDC Core §5.5: read for `id_token.acr` (authorize/check-claims.ts); other claims are
    // issued by scope whatever it asks.
    claims_parameter_supported: true,
    request_parameter_supported: false,
    // Request objects fetched from a client's URL (OIDC Core §6.2); the URNs /par mints are
    // another thing (RFC 9126 §4), advertised above.
    request_uri_parameter_supported: false,
    // The languages of the login, logout and error pages (`ui_locales` picks among them).
    ui_locales_supported: [...SUPPORTED_LOCALES],
    // OIDC Back-Channel Logout 1.0 §2.1: logout tokens go to every client that took part in
    // an ending session and registered a backchannel_logout_uri, and carry `sid` (back-channel/).
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
  };
}

export function discoveryRoute(config: Config): Middleware {
  const body = Buffer.from(JSON.stringify(buildProviderMetadata(config)));
  return (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.type = 'application/json';
    ctx.body = body;
  };
}
