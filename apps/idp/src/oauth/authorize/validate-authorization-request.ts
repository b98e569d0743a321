import type { Client } from '../../clients/client.js';
import { firstSupported } from '../../i18n/negotiate.js';
import { InvalidRequestError, UnauthorizedClientError } from '../oauth-errors.js';
import { checkCodeChallenge } from '../pkce.js';
import { resolveResources } from '../token/requested-resource.js';
import { RequestNotSupportedError, UnsupportedResponseTypeError } from './authorization-errors.js';
import type { AuthorizationRequest } from './authorization-request.js';
import type { AuthorizeParams } from './authorize-params.js';
import { checkAcrValues } from './check-acr.js';
import { checkClaims, mergeAcrRequests } from './check-claims.js';
import { checkMaxAge, checkPrompt } from './check-prompt.js';
import { checkScope } from './check-scope.js';

/**
 * Everything after the client and redirect URI are known good; each failure here is an
 * OAuthError that goes back to the client's redirect URI (RFC 6749 §4.1.2.1), with `state`
 * when `state` itself was readable.
 */
export function validateAuthorizationRequest(
  params: AuthorizeParams,
  client: Client,
  redirectUri: string,
  state: string | undefined,
): AuthorizationRequest {
  params.checkAll();

  const responseType = params.single('response_type');
  if (responseType === undefined) throw new InvalidRequestError('response_type is required');
  // OAuth 2.1 drops the implicit grant; OIDC hybrid flows are not offered.
  if (responseType !== 'code') {
    throw new UnsupportedResponseTypeError('only response_type=code is supported');
  }
  if (params.single('request') !== undefined) throw new RequestNotSupportedError('request');
  if (params.single('request_uri') !== undefined) throw new RequestNotSupportedError('request_uri');
  const responseMode = params.single('response_mode');
  if (responseMode !== undefined && responseMode !== 'query') {
    throw new InvalidRequestError('only response_mode=query is supported');
  }
  if (!client.grantTypes.includes('authorization_code')) {
    throw new UnauthorizedClientError('this client may not use the authorization code grant');
  }

  const scope = checkScope(params, client);
  const codeChallenge = checkCodeChallenge(
    params.single('code_challenge'),
    params.single('code_challenge_method'),
  );
  const prompt = checkPrompt(params);
  const maxAge = checkMaxAge(params);
  // OIDC Core §5.5.1.1: an `acr` asked for through `claims` counts as `acr_values` does.
  const acrValues = mergeAcrRequests(checkAcrValues(params), checkClaims(params));
  const resources = resolveResources(params.all('resource'), client.resources);
  const nonce = params.single('nonce');
  const dpopJkt = checkDpopJkt(params.single('dpop_jkt'));
  const loginHint = params.single('login_hint');
  // A preference, not a demand (§3.1.2.1): a list naming nothing we have is no error, it
  // leaves the choice to the cookie and Accept-Language.
  const uiLocale = firstSupported(params.single('ui_locales'));

  return {
    clientId: client.id,
    redirectUri,
    ...(state !== undefined && { state }),
    scope,
    resources,
    codeChallenge,
    ...(nonce !== undefined && { nonce }),
    ...(dpopJkt !== undefined && { dpopJkt }),
    prompt,
    ...(maxAge !== undefined && { maxAge }),
    ...(acrValues !== undefined && { acrValues }),
    ...(loginHint !== undefined && loginHint.length <= 200 && { loginHint }),
    ...(uiLocale !== null && { uiLocale }),
  };
}

/** RFC 9449 §10: a JWK SHA-256 thumbprint (RFC 7638), base64url without padding. */
function checkDpopJkt(value: string | undefined): string | undefined {
  if (value !== undefined && !/^[A-Za-z0-9_-]{43}$/.test(value)) {
    throw new InvalidRequestError('dpop_jkt must be the base64url SHA-256 thumbprint of a JWK');
  }
  return value;
}
