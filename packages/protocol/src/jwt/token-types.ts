import { LOGOUT_TOKEN_TYP } from '../logout-token.js';
import { ACCESS_TOKEN_TYP } from '../tokens.js';

/**
 * Explicit typing (RFC 8725 §3.11): the `typ` header keeps one kind of token from being
 * accepted as another, e.g. an ID token presented as an access token.
 */

const ACCESS_TYPES: ReadonlySet<string> = new Set([
  ACCESS_TOKEN_TYP,
  `application/${ACCESS_TOKEN_TYP}`,
]);
const ID_TYPES: ReadonlySet<string> = new Set(['jwt', 'application/jwt']);

/** RFC 9068 §4: `at+jwt`, with or without the `application/` prefix, case-insensitively. */
export function isAccessTokenType(typ: unknown): boolean {
  return typeof typ === 'string' && ACCESS_TYPES.has(typ.toLowerCase());
}

/** ID tokens are untyped or `JWT` (OIDC Core §2); anything else, notably `at+jwt`, is not one. */
export function isIdTokenType(typ: unknown): boolean {
  return typ === undefined || (typeof typ === 'string' && ID_TYPES.has(typ.toLowerCase()));
}

const LOGOUT_TYPES: ReadonlySet<string> = new Set([
  LOGOUT_TOKEN_TYP,
  `application/${LOGOUT_TOKEN_TYP}`,
]);

/**
 * Back-Channel Logout §2.4: `logout+jwt`, with or without the `application/` prefix,
 * case-insensitively. `allowUntyped` also takes an untyped or `JWT`-typed token, for an IdP
 * that does not type its logout tokens (explicit typing is RECOMMENDED, not required); the
 * `events` and `nonce` rules then still keep an ID token from passing as one.
 */
export function isLogoutTokenType(typ: unknown, allowUntyped = false): boolean {
  if (typeof typ === 'string' && LOGOUT_TYPES.has(typ.toLowerCase())) return true;
  return allowUntyped && isIdTokenType(typ);
}
