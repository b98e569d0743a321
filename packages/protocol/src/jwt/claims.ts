import { accessTokenHash } from '../token-hash.js';
import type { AccessTokenClaims, IdTokenClaims, SigningAlgorithm } from '../tokens.js';
import { timingSafeEqual } from 'node:crypto';
import {
  AudienceMismatchError,
  ClaimInvalidError,
  IssuerMismatchError,
  NonceMismatchError,
  TokenExpiredError,
  TokenNotYetValidError,
} from './errors.js';

/**
 * Claim checks for access tokens (RFC 9068 §4) and ID tokens (OIDC Core §3.1.3.7). Types are
 * checked before values so that the returned object really has the shape its type promises.
 */

export interface ClaimContext {
  issuer: string;
  /** Current time in whole seconds. */
  nowSec: number;
  toleranceSec: number;
}

export interface IdTokenChecks {
  clientId: string;
  nonce?: string;
  maxAgeSec?: number;
}

type Claims = Record<string, unknown>;

/**
 * `audiences`: `aud` must contain one of them. `'any'` skips that one check, for the IdP reading
 * tokens it issued itself to other APIs (introspection, RFC 7662 §2.2, reports their `aud`).
 */
export function checkAccessTokenClaims(
  claims: Claims,
  context: ClaimContext,
  audiences: readonly string[] | 'any',
): AccessTokenClaims {
  checkRegisteredClaimTypes(claims);
  requireString(claims, 'jti');
  requireString(claims, 'client_id');
  optionalString(claims, 'scope');
  optionalString(claims, 'sid');
  optionalString(claims, 'preferred_username');
  optionalNumber(claims, 'auth_time');
  const roles = claims.roles;
  if (roles !== undefined && !(Array.isArray(roles) && roles.every((r) => typeof r === 'string'))) {
    throw new ClaimInvalidError('roles');
  }
  // RFC 9449 §6.1: a bound token names its key's thumbprint; anything else there is malformed.
  const cnf = claims.cnf;
  if (
    cnf !== undefined &&
    !(typeof cnf === 'object' && cnf !== null && typeof (cnf as { jkt?: unknown }).jkt === 'string')
  ) {
    throw new ClaimInvalidError('cnf');
  }
  checkIssuerAndTime(claims, context);
  if (audiences !== 'any' && !audienceIncludes(claims.aud as string | string[], audiences)) {
    throw new AudienceMismatchError('aud does not contain an expected audience');
  }
  return claims as unknown as AccessTokenClaims;
}

export function checkIdTokenClaims(
  claims: Claims,
  context: ClaimContext,
  checks: IdTokenChecks,
): IdTokenClaims {
  checkRegisteredClaimTypes(claims);
  optionalString(claims, 'nonce');
  optionalString(claims, 'azp');
  optionalString(claims, 'sid');
  optionalNumber(claims, 'auth_time');
  checkIssuerAndTime(claims, context);

  const aud = claims.aud as string | string[];
  if (!audienceIncludes(aud, [checks.clientId])) {
    throw new AudienceMismatchError('aud does not contain the client_id');
  }
  // §3.1.3.7 steps 4-5: with several audiences, azp says who the token was issued to.
  if (Array.isArray(aud) && aud.length > 1 && claims.azp === undefined) {
    throw new ClaimInvalidError('azp', 'azp claim is required when aud has several values');
  }
  if (claims.azp !== undefined && claims.azp !== checks.clientId) {
    throw new AudienceMismatchError('azp is not the client_id');
  }
  // Step 11: the nonce binds the token to our authorization request (replay protection).
  if (checks.nonce !== undefined && claims.nonce !== checks.nonce) {
    throw new NonceMismatchError('nonce is missing or does not match');
  }
  // Step 13: with max_age, auth_time is required and the authentication must be recent enough.
  if (checks.maxAgeSec !== undefined) {
    const authTime = claims.auth_time;
    if (typeof authTime !== 'number') throw new ClaimInvalidError('auth_time');
    if (authTime + checks.maxAgeSec < context.nowSec - context.toleranceSec) {
      throw new TokenExpiredError('auth_time is older than maxAgeSec');
    }
    if (authTime > context.nowSec + context.toleranceSec) {
      throw new TokenNotYetValidError('auth_time is in the future');
    }
  }
  return claims as IdTokenClaims;
}

/**
 * OIDC Core §3.1.3.8: the ID token's `at_hash` must be the hash of the access token issued with
 * it, under the ID token's own algorithm; otherwise the access token was swapped in transit.
 */
export function checkAccessTokenHash(
  claims: IdTokenClaims,
  alg: SigningAlgorithm,
  accessToken: string,
): void {
  const atHash = (claims as Claims).at_hash;
  if (typeof atHash !== 'string') throw new ClaimInvalidError('at_hash');
  const expected = Buffer.from(accessTokenHash(accessToken, alg));
  const actual = Buffer.from(atHash);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw new ClaimInvalidError('at_hash', 'at_hash does not match the access token');
  }
}

/**
 * The registered claims every Latchkey token carries, with their types (RFC 7519 §4.1):
 * `iss`, `sub` non-empty strings, `aud` a non-empty string or non-empty array of strings,
 * `exp`, `iat` numbers, `nbf` a number when present. Values are not compared here.
 */
export function checkRegisteredClaimTypes(claims: Claims): void {
  requireString(claims, 'iss');
  requireString(claims, 'sub');
  const aud = claims.aud;
  const validAud =
    (typeof aud === 'string' && aud !== '') ||
    (Array.isArray(aud) && aud.length > 0 && aud.every((a) => typeof a === 'string'));
  if (!validAud) throw new ClaimInvalidError('aud');
  requireNumber(claims, 'exp');
  requireNumber(claims, 'iat');
  optionalNumber(claims, 'nbf');
}

/** `iss` exactly, then the validity period. Shared with the logout-token checks. */
export function checkIssuerAndTime(claims: Claims, context: ClaimContext): void {
  // Exact string comparison, no normalisation (RFC 9068 §4, OIDC Core §3.1.3.7 step 2).
  if (claims.iss !== context.issuer) throw new IssuerMismatchError('iss does not match the issuer');
  checkValidityPeriod(claims, context);
}

/**
 * `exp` not passed, `nbf` and `iat` not in the future, each within the tolerance. For claims
 * whose types {@link checkRegisteredClaimTypes} checked. Throws `TokenExpiredError` or
 * `TokenNotYetValidError`.
 */
export function checkValidityPeriod(
  claims: Claims,
  { nowSec, toleranceSec }: Pick<ClaimContext, 'nowSec' | 'toleranceSec'>,
): void {
  if ((claims.exp as number) <= nowSec - toleranceSec) {
    throw new TokenExpiredError('exp is in the past');
  }
  const nbf = claims.nbf as number | undefined;
  if (nbf !== undefined && nbf > nowSec + toleranceSec) {
    throw new TokenNotYetValidError('nbf is in the future');
  }
  // A token issued "in the future" comes from a broken clock or was pre-minted; refuse it.
  if ((claims.iat as number) > nowSec + toleranceSec) {
    throw new TokenNotYetValidError('iat is in the future');
  }
}

/**
 * Whether `exp`, `nbf` and `iat` still pass at `nowSec`: the checks of `checkIssuerAndTime`
 * that can change as time passes, for a token whose other claims were already checked.
 */
export function isWithinValidity(
  claims: { exp: number; nbf?: number; iat: number },
  { nowSec, toleranceSec }: Pick<ClaimContext, 'nowSec' | 'toleranceSec'>,
): boolean {
  return (
    claims.exp > nowSec - toleranceSec &&
    !(claims.nbf !== undefined && claims.nbf > nowSec + toleranceSec) &&
    claims.iat <= nowSec + toleranceSec
  );
}

export function audienceIncludes(aud: string | string[], expected: readonly string[]): boolean {
  if (typeof aud === 'string') return expected.includes(aud);
  return aud.some((a) => expected.includes(a));
}

/** Identifiers must be non-empty: an empty `sub` or `client_id` would name nobody. */
function requireString(claims: Claims, name: string): void {
  const value = claims[name];
  if (typeof value !== 'string' || value === '') throw new ClaimInvalidError(name);
}

function optionalString(claims: Claims, name: string): void {
  if (claims[name] !== undefined && typeof claims[name] !== 'string') {
    throw new ClaimInvalidError(name);
  }
}

/** NumericDate (RFC 7519 §2): a JSON number; NaN/Infinity cannot come from JSON anyway. */
function requireNumber(claims: Claims, name: string): void {
  if (typeof claims[name] !== 'number') throw new ClaimInvalidError(name);
}

function optionalNumber(claims: Claims, name: string): void {
  if (claims[name] !== undefined) requireNumber(claims, name);
}
