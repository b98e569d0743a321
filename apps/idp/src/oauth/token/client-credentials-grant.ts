import type { Client } from '../../clients/client.js';
import type { FormParams } from '../form-body.js';
import { signAccessToken } from '../../tokens/access-token.js';
import { UnauthorizedClientError } from '../oauth-errors.js';
import { resolveResources } from './requested-resource.js';
import { resolveScope } from './requested-scope.js';
import type { DpopBinding, GrantContext, TokenResponse } from './token-response.js';

/** RFC 6749 §4.4: a confidential client gets a token for itself (no user, no refresh token). */
export async function clientCredentialsGrant(
  client: Client,
  form: FormParams,
  { config, keys, now }: GrantContext,
  { jkt }: DpopBinding,
): Promise<TokenResponse> {
  if (!client.grantTypes.includes('client_credentials') || client.secretDigest === null) {
    throw new UnauthorizedClientError('this client may not use the client_credentials grant');
  }
  const scope = resolveScope(form.single('scope'), client.scopes);
  const audience = resolveResources(form.all('resource'), client.resources);
  const { token } = await signAccessToken(keys.signingKey(config.accessTokenAlg), {
    issuer: config.issuer,
    // RFC 9068 §2.2: with no resource owner, `sub` identifies the client.
    subject: client.id,
    clientId: client.id,
    audience,
    scope,
    ttlMs: config.accessTokenTtlMs,
    now: now(),
    jkt,
  });
  return {
    access_token: token,
    token_type: jkt === undefined ? 'Bearer' : 'DPoP',
    expires_in: Math.floor(config.accessTokenTtlMs / 1000),
    ...(scope.length > 0 && { scope: scope.join(' ') }),
  };
}
