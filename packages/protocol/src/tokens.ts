/**
 * The JWT shapes Latchkey issues. The IdP writes them and the SDK reads them, so both
 * import these definitions and cannot drift apart.
 */

/** Signature algorithms Latchkey can sign with. Never `none`, never HMAC (RFC 8725 §3.1). */
export const SIGNING_ALGORITHMS = ['ES256', 'RS256', 'EdDSA'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

export function isSigningAlgorithm(value: unknown): value is SigningAlgorithm {
  return typeof value === 'string' && (SIGNING_ALGORITHMS as readonly string[]).includes(value);
}

/** RFC 9068 §2.1: access tokens carry `typ: at+jwt` so they cannot pass as ID tokens. */
export const ACCESS_TOKEN_TYP = 'at+jwt';

/** Claims of a Latchkey access token (RFC 9068 §2.2 plus Latchkey's own). */
export interface AccessTokenClaims {
  iss: string;
  /** The user, or the client itself for `client_credentials` (RFC 9068 §2.2). */
  sub: string;
  aud: string | string[];
  client_id: string;
  exp: number;
  iat: number;
  jti: string;
  /** Space-separated scopes; absent when none were granted. */
  scope?: string;
  /** The IdP session this token belongs to; absent for machine tokens. */
  sid?: string;
  auth_time?: number;
  preferred_username?: string;
  roles?: string[];
  /** RFC 9449 §6.1: the thumbprint of the key a DPoP-bound token is bound to. */
  cnf?: { jkt: string };
}

/** Claims of an OpenID Connect ID token (OIDC Core §2). */
export interface IdTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  auth_time?: number;
  nonce?: string;
  azp?: string;
  sid?: string;
  at_hash?: string;
  /** RFC 8176 authentication method references (OIDC Core §2). */
  amr?: string[];
  /** The authentication context class reached (OIDC Core §2). */
  acr?: string;
  [claim: string]: unknown;
}
