import type { AccessTokenClaims } from '@latchkey/protocol';
import { DPOP_SIGNING_ALGORITHMS } from '@latchkey/protocol/jwt';
import {
  DpopBindingError,
  DpopProofError,
  TokenInvalidError,
  VerificationUnavailableError,
  type LatchkeyErrorCode,
} from './errors.js';
import type { DpopRequest, Verifier } from './verifier.js';

/**
 * The bearer-token check of RFC 6750, apart from any framework: `@latchkey/sdk/koa` and
 * `@latchkey/sdk/next` turn its decision into their own responses, so both answer alike.
 */

export interface BearerOptions {
  /**
   * Scopes the token must all carry: an array, or one space-separated string. Default: none.
   * A token missing one gets 403 `insufficient_scope` (RFC 6750 §3.1).
   */
  scope?: string | string[];
  /** The `realm` of the `WWW-Authenticate` challenge (RFC 6750 §3). Default `"api"`. */
  realm?: string;
}

/** A refusal, ready to send: status, RFC 6749 §5.2 JSON body and headers. */
export interface BearerDenial {
  status: 400 | 401 | 403 | 503;
  body: { error: string; error_description: string };
  headers: Record<string, string>;
}

export type BearerDecision =
  { ok: true; claims: AccessTokenClaims } | { ok: false; denial: BearerDenial };

/**
 * Decides on one request's `Authorization` header value. `request` (its `DPoP` header, method
 * and URL) is what a token sent with the DPoP scheme is checked against (RFC 9449 §7.1).
 */
export type BearerAuthenticator = (
  authorization: string | null | undefined,
  request?: DpopRequest,
) => Promise<BearerDecision>;

/** RFC 6750 §2.1 and RFC 9449 §7.1: `Bearer` or `DPoP` (any case), then a b64token. Only the
 * header: never the query string, where tokens end up in logs, history and Referer headers
 * (RFC 6750 §5.3). */
const BEARER = /^(Bearer|DPoP) +([\w\-.~+/]+=*)$/i;
const SCHEME = /^(?:Bearer|DPoP)(?: |$)/i;
const DPOP_ALGS = `algs="${DPOP_SIGNING_ALGORITHMS.join(' ')}"`;
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
  ERR_KEY_REVOKED: 'The access token was revoked',
  ERR_TOKEN_TYPE: 'The token is not an access token',
  ERR_CLAIM_AUDIENCE: 'The access token is not meant for this resource',
};

/** Checks the options once (TypeError) and returns the per-request check. */
export function createBearerAuthenticator(
  verifier: Pick<Verifier, 'verifyAccessToken'>,
  options: BearerOptions = {},
): BearerAuthenticator {
  if (typeof verifier?.verifyAccessToken !== 'function') {
    throw new TypeError('a bearer check needs a verifier from createVerifier');
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

  /** The challenge carries the error only when there was a token (§3.1). */
  const deny = (
    status: BearerDenial['status'],
    error: string,
    description: string,
    challenge?: string,
  ): BearerDecision => {
    // RFC 6750 §3 / RFC 6749 §5.1: error responses must not be cached.
    const headers: Record<string, string> = { 'cache-control': 'no-store' };
    if (challenge !== undefined) headers['www-authenticate'] = challenge;
    if (status === 503) headers['retry-after'] = String(RETRY_AFTER_SEC);
    return {
      ok: false,
      denial: { status, body: { error, error_description: description }, headers },
    };
  };
  const withError = (error: string, description: string, dpop = false): string =>
    dpop
      ? `DPoP realm="${realm}", error="${error}", error_description="${description}", ${DPOP_ALGS}`
      : `${realmChallenge}, error="${error}", error_description="${description}"`;

  return async (header, request) => {
    if (typeof header !== 'string' || !SCHEME.test(header)) {
      // No credentials, or another scheme: challenge without an error code (RFC 6750 §3.1).
      return deny(401, 'invalid_request', 'A bearer access token is required', realmChallenge);
    }
    const match = BEARER.exec(header);
    if (!match) {
      const description = 'The Authorization header is not a valid bearer token';
      return deny(400, 'invalid_request', description, withError('invalid_request', description));
    }

    const dpop = match[1]!.toLowerCase() === 'dpop';
    const token = match[2]!;
    let claims: AccessTokenClaims;
    try {
      claims = dpop
        ? await verifier.verifyAccessToken(token, {
            dpop: request ?? { proof: undefined, method: '', url: '' },
          })
        : await verifier.verifyAccessToken(token);
    } catch (error) {
      if (error instanceof DpopProofError) {
        const description = 'The DPoP proof is invalid';
        const challenge = withError('invalid_dpop_proof', description, true);
        return deny(401, 'invalid_dpop_proof', description, challenge);
      }
      if (error instanceof DpopBindingError) {
        // RFC 9449 §7.2: a bound token sent as Bearer (or with another key) is challenged
        // with the DPoP scheme, so the client knows how it must present it.
        const description = 'The access token is DPoP-bound: present it with its DPoP proof';
        return deny(
          401,
          'invalid_token',
          description,
          withError('invalid_token', description, true),
        );
      }
      if (error instanceof TokenInvalidError) {
        const description = DESCRIPTIONS[error.code] ?? 'The access token is invalid';
        return deny(
          401,
          'invalid_token',
          description,
          withError('invalid_token', description, dpop),
        );
      }
      if (error instanceof VerificationUnavailableError) {
        // An IdP outage is not the client's fault: 503, so clients retry instead of logging out.
        const description = 'Token verification is temporarily unavailable';
        return deny(503, 'temporarily_unavailable', description);
      }
      throw error;
    }

    if (scopes.length > 0) {
      const granted = new Set((claims.scope ?? '').split(' '));
      if (!scopes.every((s) => granted.has(s))) {
        const description = 'The access token lacks a required scope';
        const challenge = `${withError('insufficient_scope', description, dpop)}, scope="${scopes.join(' ')}"`;
        return deny(403, 'insufficient_scope', description, challenge);
      }
    }
    return { ok: true, claims };
  };
}
