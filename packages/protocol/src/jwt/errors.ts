/**
 * Typed errors. Callers branch on `instanceof` or on the stable `code` (also available on the
 * class, e.g. `TokenExpiredError.code`), never on message text, which may change.
 *
 * Two families decide the HTTP answer:
 * - {@link TokenInvalidError} and its subclasses: the token must be refused (401).
 * - {@link VerificationUnavailableError} and its subclasses: the token could not be checked right
 *   now because something we depend on is down (503). Never treat these as "token invalid":
 *   doing so would log users out during an IdP outage.
 *
 * Messages name the check that failed. They never contain the token, claim values taken from the
 * token (log injection), or key material.
 */

export type LatchkeyErrorCode =
  | 'ERR_LATCHKEY'
  | 'ERR_TOKEN_INVALID'
  | 'ERR_TOKEN_MALFORMED'
  | 'ERR_TOKEN_ALGORITHM'
  | 'ERR_TOKEN_HEADER'
  | 'ERR_TOKEN_TYPE'
  | 'ERR_KEY_NOT_FOUND'
  | 'ERR_SIGNATURE_INVALID'
  | 'ERR_TOKEN_EXPIRED'
  | 'ERR_TOKEN_NOT_YET_VALID'
  | 'ERR_CLAIM_ISSUER'
  | 'ERR_CLAIM_AUDIENCE'
  | 'ERR_CLAIM_INVALID'
  | 'ERR_CLAIM_NONCE'
  | 'ERR_TOKEN_REVOKED'
  | 'ERR_TOKEN_REPLAYED'
  | 'ERR_KEY_REVOKED'
  | 'ERR_VERIFICATION_UNAVAILABLE'
  | 'ERR_JWKS_UNAVAILABLE'
  | 'ERR_DISCOVERY_FAILED'
  | 'ERR_REVOCATION_STALE'
  | 'ERR_REVOCATION_LAYOUT'
  | 'ERR_TOKEN_REQUEST'
  | 'ERR_IDP_UNAVAILABLE'
  | 'ERR_SIGNAL_STREAM'
  | 'ERR_DPOP_PROOF_INVALID'
  | 'ERR_DPOP_PROOF_REPLAYED'
  | 'ERR_DPOP_BINDING';

/** Base class of every error this SDK throws on purpose. Not thrown itself. */
export class LatchkeyError extends Error {
  static code: LatchkeyErrorCode = 'ERR_LATCHKEY';
  code: LatchkeyErrorCode = 'ERR_LATCHKEY';

  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The token must be refused (HTTP 401). Subclasses say which check failed. */
export class TokenInvalidError extends LatchkeyError {
  static override code: LatchkeyErrorCode = 'ERR_TOKEN_INVALID';
  override code: LatchkeyErrorCode = 'ERR_TOKEN_INVALID';
}

/** Not a compact JWS: too long, wrong segment count, bad base64url, header/payload not JSON. */
export class TokenMalformedError extends TokenInvalidError {
  static override code: LatchkeyErrorCode = 'ERR_TOKEN_MALFORMED';
  override code: LatchkeyErrorCode = 'ERR_TOKEN_MALFORMED';
}

/** `alg` is not in the verifier's allow-list (this includes `none` and HS*), or the key cannot use it. */
export class TokenAlgorithmError extends TokenInvalidError {
  static override code: LatchkeyErrorCode = 'ERR_TOKEN_ALGORITHM';
  override code: LatchkeyErrorCode = 'ERR_TOKEN_ALGORITHM';
}

/** A forbidden or unsupported header parameter (`jwk`, `jku`, `x5u`, `x5c`, `crit`…) or no `kid`. */
export class TokenHeaderError extends TokenInvalidError {
  static override code: LatchkeyErrorCode = 'ERR_TOKEN_HEADER';
  override code: LatchkeyErrorCode = 'ERR_TOKEN_HEADER';
}

/** The `typ` header does not match the kind of token expected (RFC 8725 §3.11). */
export class TokenTypeError extends TokenInvalidError {
  static override code: LatchkeyErrorCode = 'ERR_TOKEN_TYPE';
  override code: LatchkeyErrorCode = 'ERR_TOKEN_TYPE';
}

/** No key with the token's `kid`, even after refetching the key set. */
export class KeyNotFoundError extends TokenInvalidError {
  static override code: LatchkeyErrorCode = 'ERR_KEY_NOT_FOUND';
  override code: LatchkeyErrorCode = 'ERR_KEY_NOT_FOUND';
}

export class SignatureInvalidError extends TokenInvalidError {
  static override code: LatchkeyErrorCode = 'ERR_SIGNATURE_INVALID';
  override code: LatchkeyErrorCode = 'ERR_SIGNATURE_INVALID';
}

/** `exp` has passed (or, for ID tokens with `maxAgeSec`, `auth_time` is too old). */
export class TokenExpiredError extends TokenInvalidError {
  static override code: LatchkeyErrorCode = 'ERR_TOKEN_EXPIRED';
  override code: LatchkeyErrorCode = 'ERR_TOKEN_EXPIRED';
}

/** `nbf`, `iat` (or `auth_time`) lies in the future, beyond the clock tolerance. */
export class TokenNotYetValidError extends TokenInvalidError {
  static override code: LatchkeyErrorCode = 'ERR_TOKEN_NOT_YET_VALID';
  override code: LatchkeyErrorCode = 'ERR_TOKEN_NOT_YET_VALID';
}

export class IssuerMismatchError extends TokenInvalidError {
  static override code: LatchkeyErrorCode = 'ERR_CLAIM_ISSUER';
  override code: LatchkeyErrorCode = 'ERR_CLAIM_ISSUER';
}

/** `aud` names none of the expected audiences, or (ID tokens) `azp` is not the client. */
export class AudienceMismatchError extends TokenInvalidError {
  static override code: LatchkeyErrorCode = 'ERR_CLAIM_AUDIENCE';
  override code: LatchkeyErrorCode = 'ERR_CLAIM_AUDIENCE';
}

/** A required claim is missing, or a claim has the wrong type. `claim` names it. */
export class ClaimInvalidError extends TokenInvalidError {
  static override code: LatchkeyErrorCode = 'ERR_CLAIM_INVALID';
  override code: LatchkeyErrorCode = 'ERR_CLAIM_INVALID';
  readonly claim: string;

  constructor(claim: string, message?: string, options?: { cause?: unknown }) {
    super(message ?? `${claim} claim is missing or has the wrong type`, options);
    this.claim = claim;
  }
}

/** The ID token's `nonce` is missing or differs from the one sent (OIDC Core §3.1.3.7 step 11). */
export class NonceMismatchError extends TokenInvalidError {
  static override code: LatchkeyErrorCode = 'ERR_CLAIM_NONCE';
  override code: LatchkeyErrorCode = 'ERR_CLAIM_NONCE';
}

/**
 * A single-use token came a second time: a logout token whose `jti` was already received
 * (Back-Channel Logout §2.6 step 8).
 */
export class TokenReplayedError extends TokenInvalidError {
  static override code: LatchkeyErrorCode = 'ERR_TOKEN_REPLAYED';
  override code: LatchkeyErrorCode = 'ERR_TOKEN_REPLAYED';
}

/** The token was revoked before it expired. */
export class TokenRevokedError extends TokenInvalidError {
  static override code: LatchkeyErrorCode = 'ERR_TOKEN_REVOKED';
  override code: LatchkeyErrorCode = 'ERR_TOKEN_REVOKED';
}

/**
 * The token's signing key (`kid`) was revoked by the IdP (a compromised key): whatever the
 * token claims, its signature proves nothing. A kind of {@link TokenRevokedError}, so code
 * that refuses revoked tokens refuses these too.
 */
export class KeyRevokedError extends TokenRevokedError {
  static override code: LatchkeyErrorCode = 'ERR_KEY_REVOKED';
  override code: LatchkeyErrorCode = 'ERR_KEY_REVOKED';
}

/** The token could not be checked right now (HTTP 503). Retry later; do not log the user out. */
export class VerificationUnavailableError extends LatchkeyError {
  static override code: LatchkeyErrorCode = 'ERR_VERIFICATION_UNAVAILABLE';
  override code: LatchkeyErrorCode = 'ERR_VERIFICATION_UNAVAILABLE';
}

/** No usable key set has ever been fetched (a previously good set keeps being served). */
export class JwksUnavailableError extends VerificationUnavailableError {
  static override code: LatchkeyErrorCode = 'ERR_JWKS_UNAVAILABLE';
  override code: LatchkeyErrorCode = 'ERR_JWKS_UNAVAILABLE';
}

/** The issuer's discovery document could not be fetched or does not match the issuer. */
export class DiscoveryError extends VerificationUnavailableError {
  static override code: LatchkeyErrorCode = 'ERR_DISCOVERY_FAILED';
  override code: LatchkeyErrorCode = 'ERR_DISCOVERY_FAILED';
}

/** Revocation data is too old to trust, so revoked tokens cannot be ruled out. */
export class RevocationStaleError extends VerificationUnavailableError {
  static override code: LatchkeyErrorCode = 'ERR_REVOCATION_STALE';
  override code: LatchkeyErrorCode = 'ERR_REVOCATION_STALE';
}

/**
 * The Redis holds another key layout than the one this SDK reads (see `@latchkey/protocol`
 * store-layout.ts): its revocations could be silently missed, so none of its tokens are
 * vouched for. Upgrade whichever side is older.
 */
export class RevocationLayoutError extends VerificationUnavailableError {
  static override code: LatchkeyErrorCode = 'ERR_REVOCATION_LAYOUT';
  override code: LatchkeyErrorCode = 'ERR_REVOCATION_LAYOUT';
  /** The layout this SDK reads. */
  readonly expected: number;
  /** What the Redis holds: a layout version, or the unreadable text found. */
  readonly found: number | string;

  constructor(expected: number, found: number | string) {
    super(
      `Redis holds Latchkey key layout ${JSON.stringify(found)}; this SDK reads layout ${expected}`,
    );
    this.expected = expected;
    this.found = found;
  }
}

/**
 * The IdP's token endpoint refused a request (RFC 6749 §5.2): `error` is its code, such as
 * `invalid_grant` for a spent code or a refresh token that no longer works. Sign in again.
 */
export class TokenRequestError extends LatchkeyError {
  static override code: LatchkeyErrorCode = 'ERR_TOKEN_REQUEST';
  override code: LatchkeyErrorCode = 'ERR_TOKEN_REQUEST';
  readonly error: string;
  readonly status: number;

  constructor(error: string, status: number, message?: string) {
    super(message ?? `the token endpoint answered ${status} ${error}`);
    this.error = error;
    this.status = status;
  }
}

/** The IdP's token endpoint could not be reached or failed (5xx, timeout): retry later. */
export class IdpUnavailableError extends VerificationUnavailableError {
  static override code: LatchkeyErrorCode = 'ERR_IDP_UNAVAILABLE';
  override code: LatchkeyErrorCode = 'ERR_IDP_UNAVAILABLE';
}

/**
 * The Shared Signals stream a revocation source reads could not be used: the IdP refused the
 * receiver (401, 403: its client lacks the `ssf.manage` scope or the SSF resource), or the
 * stream is gone (404). `status` is the IdP's answer. A configuration problem, not an outage:
 * the source keeps failing closed until it is put right.
 */
export class SignalStreamError extends VerificationUnavailableError {
  static override code: LatchkeyErrorCode = 'ERR_SIGNAL_STREAM';
  override code: LatchkeyErrorCode = 'ERR_SIGNAL_STREAM';
  readonly status: number;

  constructor(message?: string, status = 0) {
    super(message);
    this.status = status;
  }
}

/**
 * A DPoP proof (RFC 9449 §4.3) is missing, malformed or fails a check: its `typ`, `alg`, `jwk`,
 * signature, `htm`, `htu`, `iat` or `ath`. Answered with `invalid_dpop_proof`.
 */
export class DpopProofError extends TokenInvalidError {
  static override code: LatchkeyErrorCode = 'ERR_DPOP_PROOF_INVALID';
  override code: LatchkeyErrorCode = 'ERR_DPOP_PROOF_INVALID';
}

/** The proof's `jti` was seen before within its window (RFC 9449 §11.1): a replayed proof. */
export class DpopProofReplayedError extends DpopProofError {
  static override code: LatchkeyErrorCode = 'ERR_DPOP_PROOF_REPLAYED';
  override code: LatchkeyErrorCode = 'ERR_DPOP_PROOF_REPLAYED';
}

/**
 * The access token and the way it was presented disagree (RFC 9449 §7.1, §7.2): a DPoP-bound
 * token sent as Bearer or without a proof, a proof signed by another key than `cnf.jkt`, or an
 * unbound token sent with the DPoP scheme. Answered with `invalid_token`.
 */
export class DpopBindingError extends TokenInvalidError {
  static override code: LatchkeyErrorCode = 'ERR_DPOP_BINDING';
  override code: LatchkeyErrorCode = 'ERR_DPOP_BINDING';
}
