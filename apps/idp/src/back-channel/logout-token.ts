import { randomBytes } from 'node:crypto';
import {
  BACKCHANNEL_LOGOUT_EVENT,
  LOGOUT_TOKEN_TYP,
  type LogoutTokenClaims,
} from '@latchkey/protocol';
import { signCompactJws } from '@latchkey/protocol/jwt';
import type { SigningKey } from '../keys/key-manager.js';

/** §2.4 recommends two minutes or less; a token minted per attempt needs no more. */
export const LOGOUT_TOKEN_TTL_SEC = 120;

export interface LogoutTokenInput {
  issuer: string;
  clientId: string;
  /** At least one of `sub` and `sid` (§2.4). */
  sub?: string | undefined;
  sid?: string | undefined;
  now: number;
}

/**
 * The logout token of OIDC Back-Channel Logout 1.0 §2.4: explicitly typed (`logout+jwt`,
 * §4.1), a fresh `jti` each time, the back-channel event, `sid` and/or `sub`, and never
 * `nonce` (§2.4: its absence is what keeps an ID token from passing as a logout token).
 * Signed like the client's ID tokens, so the client checks it with the keys it already uses.
 */
export function signLogoutToken(key: SigningKey, input: LogoutTokenInput): string {
  if (input.sub === undefined && input.sid === undefined) {
    throw new TypeError('a logout token needs sub, sid or both');
  }
  const iat = Math.floor(input.now / 1000);
  const claims: LogoutTokenClaims = {
    iss: input.issuer,
    aud: input.clientId,
    iat,
    exp: iat + LOGOUT_TOKEN_TTL_SEC,
    jti: randomBytes(16).toString('base64url'),
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    ...(input.sub !== undefined && { sub: input.sub }),
    ...(input.sid !== undefined && { sid: input.sid }),
  };
  return signCompactJws(key, LOGOUT_TOKEN_TYP, claims);
}
