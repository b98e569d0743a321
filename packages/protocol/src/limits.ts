import { SIGNING_ALGORITHMS, type SigningAlgorithm } from './tokens.js';

/**
 * The one set of limits every Latchkey token check uses: the SDK's verifier, and the IdP
 * checking its own bearer tokens and `id_token_hint`s. Kept here so that a token one side
 * accepts the other cannot refuse for its size, algorithm or clock.
 */

/**
 * Longest compact JWS accepted, in characters. Access tokens are under 1 KB (DESIGN.md); the
 * cap is refused before decoding, so a huge header costs no CPU or memory.
 */
export const MAX_TOKEN_LENGTH = 8192;

/** Algorithms accepted unless a verifier narrows them: all Latchkey signs with, nothing else. */
export const DEFAULT_ALGORITHMS: readonly SigningAlgorithm[] = SIGNING_ALGORITHMS;

/** Leeway in seconds for `exp`, `nbf`, `iat` and `auth_time` unless configured otherwise. */
export const DEFAULT_CLOCK_TOLERANCE_SEC = 5;

/**
 * Leeway when the issuer checks its own tokens (the IdP at /userinfo, /introspect, /revoke,
 * /logout): the clock that set `exp` is the one reading it, so there is no skew to forgive,
 * and a token is dead at `exp` exactly, like the IdP's codes and refresh tokens.
 */
export const ISSUER_CLOCK_TOLERANCE_SEC = 0;

/** The largest leeway a verifier may configure: more would keep expired tokens alive. */
export const MAX_CLOCK_TOLERANCE_SEC = 300;

/** RSA moduli under 2048 bits are refused (NIST SP 800-131A; RFC 7518 §3.3 requires ≥ 2048). */
export const MIN_RSA_BITS = 2048;
