import { OAuthError } from '../oauth-errors.js';

const REALM = 'realm="latchkey"';

/**
 * RFC 6750 §3.1 errors of a resource the IdP serves itself (/userinfo). The challenge
 * names the error, except when no token was sent at all (§3.1: then no error code).
 */
export class InvalidTokenError extends OAuthError {
  constructor(description: string, options: { tokenPresented: boolean }) {
    super('invalid_token', 401, description, {
      'WWW-Authenticate': options.tokenPresented
        ? `Bearer ${REALM}, error="invalid_token", error_description="${description}"`
        : `Bearer ${REALM}`,
    });
  }
}

export class InsufficientScopeError extends OAuthError {
  constructor(scope: string) {
    const description = `the access token lacks the ${scope} scope`;
    super('insufficient_scope', 403, description, {
      'WWW-Authenticate': `Bearer ${REALM}, error="insufficient_scope", scope="${scope}", error_description="${description}"`,
    });
  }
}

/** §3.1 `invalid_request` for a resource request: 400 with the challenge. */
export class BearerRequestError extends OAuthError {
  constructor(description: string) {
    super('invalid_request', 400, description, {
      'WWW-Authenticate': `Bearer ${REALM}, error="invalid_request", error_description="${description}"`,
    });
  }
}
