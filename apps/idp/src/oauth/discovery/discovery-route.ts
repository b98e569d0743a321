import type { Middleware } from 'koa';
import type { Config } from '../../config/config.js';
import { SUPPORTED_GRANT_TYPES } from '../token/token-route.js';

/**
 * Provider metadata (OIDC Discovery 1.0 §3, RFC 8414 §2). It lists only what this IdP
 * really implements today: a client that trusts it must never meet an advertised feature
 * that answers 404.
 */
export function buildProviderMetadata(config: Config): Record<string, unknown> {
  const url = (path: string) => `${config.issuer}${path}`;
  return {
    issuer: config.issuer,
    jwks_uri: url('/jwks'),
    token_endpoint: url('/token'),
    grant_types_supported: [...SUPPORTED_GRANT_TYPES],
    // No endpoint that takes a response_type exists yet (the authorization endpoint is next).
    response_types_supported: [],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    // RFC 9068 access tokens are JWTs signed with this algorithm.
    access_token_signing_alg_values_supported: [config.accessTokenAlg],
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
