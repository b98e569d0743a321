import { BACKCHANNEL_LOGOUT_EVENT, type LogoutTokenClaims } from '../logout-token.js';
import { audienceIncludes, checkIssuerAndTime, type ClaimContext } from './claims.js';
import { AudienceMismatchError, ClaimInvalidError, TokenExpiredError } from './errors.js';

/**
 * Claim checks of a logout token, OpenID Connect Back-Channel Logout 1.0 §2.6 steps 4–7 (the
 * signature and `alg`, steps 2–3, are the caller's, with the ID-token keys). The replay check
 * of step 8 needs state and lives with the verifier.
 */

export interface LogoutTokenChecks {
  /** This client's `client_id`: `aud` must contain it, as in an ID token. */
  clientId: string;
  /** `exp` may lie at most this many seconds ahead (plus tolerance): a short-lived token only. */
  maxLifetimeSec: number;
}

type Claims = Record<string, unknown>;

export function checkLogoutTokenClaims(
  claims: Claims,
  context: ClaimContext,
  checks: LogoutTokenChecks,
): LogoutTokenClaims {
  // Types first (RFC 7519 §4.1), so the returned object really has the shape its type says.
  requireString(claims, 'iss');
  const aud = claims.aud;
  const validAud =
    (typeof aud === 'string' && aud !== '') ||
    (Array.isArray(aud) && aud.length > 0 && aud.every((a) => typeof a === 'string'));
  if (!validAud) throw new ClaimInvalidError('aud');
  // §2.4: iat, exp and jti are REQUIRED in a logout token.
  requireNumber(claims, 'iat');
  requireNumber(claims, 'exp');
  if (claims.nbf !== undefined) requireNumber(claims, 'nbf');
  requireString(claims, 'jti');
  optionalString(claims, 'sub');
  optionalString(claims, 'sid');
  optionalString(claims, 'azp');

  // Step 4: iss, aud, iat and exp as for an ID token.
  checkIssuerAndTime(claims, context);
  if (!audienceIncludes(aud, [checks.clientId])) {
    throw new AudienceMismatchError('aud does not contain the client_id');
  }
  if (claims.azp !== undefined && claims.azp !== checks.clientId) {
    throw new AudienceMismatchError('azp is not the client_id');
  }
  // A logout token lives minutes (§2.4 recommends two or less): one valid for hours is not
  // what our IdP sends, and would have to be remembered that long to refuse its replay.
  if ((claims.exp as number) > context.nowSec + checks.maxLifetimeSec + context.toleranceSec) {
    throw new TokenExpiredError('exp is further ahead than a logout token may live');
  }
  // Step 5: sub, sid or both; an empty string names nobody.
  if (claims.sub === undefined && claims.sid === undefined) {
    throw new ClaimInvalidError('sid', 'a logout token must carry sub, sid or both');
  }
  // Step 6: events is a JSON object whose back-channel logout member is a JSON object.
  const events = claims.events;
  if (!isJsonObject(events) || !isJsonObject(events[BACKCHANNEL_LOGOUT_EVENT])) {
    throw new ClaimInvalidError('events', 'events does not declare a back-channel logout');
  }
  // Step 7: a nonce is prohibited, so that a logout token can never pass as an ID token in a
  // forged authentication response (§2.4, §4.1).
  if ('nonce' in claims) {
    throw new ClaimInvalidError('nonce', 'a logout token must not carry nonce');
  }
  return claims as LogoutTokenClaims;
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireString(claims: Claims, name: string): void {
  const value = claims[name];
  if (typeof value !== 'string' || value === '') throw new ClaimInvalidError(name);
}

function optionalString(claims: Claims, name: string): void {
  if (claims[name] !== undefined) requireString(claims, name);
}

function requireNumber(claims: Claims, name: string): void {
  if (typeof claims[name] !== 'number') throw new ClaimInvalidError(name);
}
