import { OAuthError } from '../oauth-errors.js';

/**
 * RFC 6749 §4.1.2.1: while the client or its redirect URI is unknown, the user agent must not
 * be redirected (an open redirector, or a code sent to an attacker): the user gets a page.
 */
export class AuthorizationPageError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
    this.name = 'AuthorizationPageError';
  }
}

/** RFC 6749 §4.1.2.1: the server supports only `response_type=code`. */
export class UnsupportedResponseTypeError extends OAuthError {
  constructor(description: string) {
    super('unsupported_response_type', 400, description);
  }
}

/** OIDC Core §3.1.2.6: `prompt=none` and the user would have to log in. */
export class LoginRequiredError extends OAuthError {
  constructor(description: string) {
    super('login_required', 400, description);
  }
}

/**
 * OIDC Core §3.1.2.6: `prompt=none`, and the login needs an interaction that is not an
 * authentication: here, setting up the second factor the client or the user's role requires.
 */
export class InteractionRequiredError extends OAuthError {
  constructor(description: string) {
    super('interaction_required', 400, description);
  }
}

/**
 * OIDC Core §3.1.2.6: `prompt=none`, and the client is a third party the user has not
 * allowed (every scope asked for) yet: the consent page would have to be shown.
 */
export class ConsentRequiredError extends OAuthError {
  constructor(description: string) {
    super('consent_required', 400, description);
  }
}

/**
 * RFC 6749 §4.1.2.1 `access_denied`; OIDC Core §5.5.1.1: an essential `acr` the server
 * cannot satisfy is a failed authentication.
 */
export class AccessDeniedError extends OAuthError {
  constructor(description: string) {
    super('access_denied', 400, description);
  }
}

/** OIDC Core §6: request objects (`request`, `request_uri`) are not supported. */
export class RequestNotSupportedError extends OAuthError {
  constructor(parameter: 'request' | 'request_uri') {
    super(`${parameter}_not_supported`, 400, `the ${parameter} parameter is not supported`);
  }
}
