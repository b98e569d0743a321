/**
 * The logout token of OpenID Connect Back-Channel Logout 1.0 (§2.4): what the IdP sends to a
 * client's `backchannel_logout_uri` when a session ends, and what the SDK checks. Both sides
 * import these definitions so that they cannot drift apart.
 */

/** §2.4: logout tokens are explicitly typed, so no other JWT can pass as one (§4.1). */
export const LOGOUT_TOKEN_TYP = 'logout+jwt';

/** §2.4: the member of `events` that declares a JWT to be a logout token. */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/**
 * The longest lifetime (`exp` − now) a receiver accepts by default, in seconds. The spec
 * recommends two minutes or less (§2.4) and Latchkey's IdP sends two; the rest covers skew.
 */
export const DEFAULT_LOGOUT_TOKEN_MAX_LIFETIME_SEC = 180;

/** Claims of a logout token (§2.4). It carries `sub`, `sid` or both, and never `nonce`. */
export interface LogoutTokenClaims {
  iss: string;
  /** The user; without `sid`, every session of this user at the client ends. */
  sub?: string;
  aud: string | string[];
  iat: number;
  exp: number;
  jti: string;
  /** `{ [BACKCHANNEL_LOGOUT_EVENT]: {} }`. */
  events: Record<string, unknown>;
  /** The IdP session that ended. */
  sid?: string;
  [claim: string]: unknown;
}
