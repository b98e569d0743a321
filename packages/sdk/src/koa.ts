import type { AccessTokenClaims } from '@latchkey/protocol';
import type { Middleware } from 'koa';
import {
  TokenInvalidError,
  VerificationUnavailableError,
  type LatchkeyErrorCode,
} from './errors.js';
import type { Verifier } from './verifier.js';

/** What {@link requireBearer} puts on `ctx.state`. */
export interface BearerState {
  auth: AccessTokenClaims;
}

export interface RequireBearerOptions {
  /**
   * Scopes the token must all carry: an array, or one space-separated string. Default: none.
   * A token missing one gets 403 `insufficient_scope` (RFC 6750 §3.1).
   */
  scope?: string | string[];
  /** The `realm` of the `WWW-Authenticate` challenge (RFC 6750 §3). Default `"api"`. */
  realm?: string;
}

/** RFC 6750 §2.1: `Bearer` (any case), then a b64token. Only the header: never the query string,
 * where tokens end up in logs, history and Referer headers (RFC 6750 §5.3). */
const BEARER = /^Bearer +([\w\-.~+/]+=*)$/i;
const SCHEME = /^Bearer(?: |$)/i;
/** RFC 6749 §3.3 scope-token; RFC 9110 quoted-string content without `"` and `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
const REALM = /^[\x20\x21\x23-\x5B\x5D-\x7E]*$/;
/** Seconds a client should wait after a 503; the key set retries its fetch well within it. */
const RETRY_AFTER_SEC = 5;

/** Fixed texts: the response never echoes the token or says which internal check failed. */
const DESCRIPTIONS: Partial<Record<LatchkeyErrorCode, string>> = {
  ERR_TOKEN_EXPIRED: 'The access token expired',
  ERR_TOKEN_NOT_YET_VALID: 'The access token is not yet valid',
  ERR_TOKEN_REVOKED: 'The access token was revoked',
  ERR_TOKEN_TYPE: 'The token is not an access token',
  ERR_CLAIM_AUDIENCE: 'The access token is not meant for this resource',
};

/**
 * Koa middleware that requires a valid Latchkey access token in `Authorization: Bearer`.
 * On success the claims are at `ctx.state.auth`. Throws TypeError on bad options.
 */
export function requireBearer(
  verifier: Pick<Verifier, 'verifyAccessToken'>,
  options: RequireBearerOptions = {},
): Middleware<BearerState> {
  if (typeof verifier?.verifyAccessToken !== 'function') {
    throw new TypeError('requireBearer needs a verifier from createVerifier');
  }
  const scopes =
    typeof options.scope === 'string' ? options.scope.split(' ') : (options.scope ?? []);
  if (
    !Array.isArray(scopes) ||
    !scopes.every((s) => typeof s === 'string' && SCOPE_TOKEN.test(s))
  ) {
    throw new TypeError('scope must be scope tokens (RFC 6749 §3.3), space-separated or an array');
  }
  const realm = options.realm ?? 'api';
  if (typeof realm !== 'string' || !REALM.test(realm)) {
    throw new TypeError('realm must be printable ASCII without " or \\');
  }
  const realmChallenge = `Bearer realm="${realm}"`;

  return async (ctx, next) => {
    /** Error response; the challenge carries the error only when there was a token (§3.1). */
    const deny = (status: number, error: string, description: string, challenge?: string): void => {
      ctx.status = status;
      if (challenge !== undefined) ctx.set('WWW-Authenticate', challenge);
      // RFC 6750 §3 / RFC 6749 §5.1: error responses must not be cached.
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { error, error_description: description };
    };
    const withError = (error: string, description: string): string =>
      `${realmChallenge}, error="${error}", error_description="${description}"`;

    const header = ctx.get('authorization');
    if (!SCHEME.test(header)) {
      // No credentials, or another scheme: challenge without an error code (RFC 6750 §3.1).
      return deny(401, 'invalid_request', 'A bearer access token is required', realmChallenge);
    }
    const match = BEARER.exec(header);
    if (!match) {
      const description = 'The Authorization header is not a valid bearer token';
      return deny(400, 'invalid_request', description, withError('invalid_request', description));
    }

    let claims: AccessTokenClaims;
    try {
      claims = await verifier.verifyAccessToken(match[1]!);
    } catch (error) {
      if (error instanceof TokenInvalidError) {
        const description = DESCRIPTIONS[error.code] ?? 'The access token is invalid';
        return deny(401, 'invalid_token', description, withError('invalid_token', description));
      }
      if (error instanceof VerificationUnavailableError) {
        // An IdP outage is not the client's fault: 503, so clients retry instead of logging out.
        ctx.set('Retry-After', String(RETRY_AFTER_SEC));
        return deny(
          503,
          'temporarily_unavailable',
          'Token verification is temporarily unavailable',
        );
      }
      throw error;
    }

    if (scopes.length > 0) {
      const granted = new Set((claims.scope ?? '').split(' '));
      if (!scopes.every((s) => granted.has(s))) {
        const description = 'The access token lacks a required scope';
        const challenge = `${withError('insufficient_scope', description)}, scope="${scopes.join(' ')}"`;
        return deny(403, 'insufficient_scope', description, challenge);
      }
    }

    ctx.state.auth = claims;
    // Outside the try: errors from later middleware are not authentication failures.
    await next();
  };
}
