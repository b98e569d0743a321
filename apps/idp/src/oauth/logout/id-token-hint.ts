import { ISSUER_CLOCK_TOLERANCE_SEC } from '@latchkey/protocol';
import {
  checkRegisteredClaimTypes,
  checkValidityPeriod,
  isIdTokenType,
  KeyNotFoundError,
  TokenExpiredError,
  TokenInvalidError,
  TokenTypeError,
} from '@latchkey/protocol/jwt';
import type { OwnJwsReader } from '../../tokens/own-token-reader.js';

export interface IdTokenHint {
  sub: string;
  /** The audiences (client ids) the ID token was issued to. */
  aud: string[];
  azp?: string;
  sid?: string;
  /**
   * `exp` has passed. An expired hint still names the user and the client (RP-Initiated
   * Logout §2 lets the OP accept it, e.g. to check `post_logout_redirect_uri`), but it proves
   * nothing about who sends it now, so it never ends a session without confirmation.
   */
  expired: boolean;
}

/** The hint cannot be accepted; the message is safe to show. */
export class BadHintError extends Error {}

/**
 * RP-Initiated Logout §2 `id_token_hint`: an ID token this IdP issued, checked by the token
 * core with the shared limits: signature, no access token (RFC 8725 §3.11), the registered
 * claims and their types, `iss`, `nbf`/`iat` not in the future. Expiry is reported, not
 * refused. A token whose key has been dropped from the key set cannot be checked: it resolves
 * to null and counts as no hint at all.
 */
export function verifyIdTokenHint(
  hint: string,
  read: OwnJwsReader,
  issuer: string,
  nowMs: number,
): IdTokenHint | null {
  let claims: Record<string, unknown>;
  try {
    claims = read(hint, isIdTokenType).payload;
  } catch (error) {
    if (error instanceof KeyNotFoundError) return null;
    if (error instanceof TokenTypeError)
      throw new BadHintError('the id_token_hint is not an ID token');
    if (error instanceof TokenInvalidError) {
      throw new BadHintError('the id_token_hint is not an ID token issued here');
    }
    throw error;
  }
  let expired = false;
  try {
    checkRegisteredClaimTypes(claims);
    if (claims.iss !== issuer) throw new BadHintError('the id_token_hint was not issued here');
    checkValidityPeriod(claims, {
      nowSec: Math.floor(nowMs / 1000),
      toleranceSec: ISSUER_CLOCK_TOLERANCE_SEC,
    });
  } catch (error) {
    if (error instanceof TokenExpiredError) expired = true;
    else if (error instanceof TokenInvalidError || error instanceof BadHintError) {
      throw new BadHintError('the id_token_hint was not issued by this provider');
    } else throw error;
  }
  const aud = typeof claims.aud === 'string' ? [claims.aud] : (claims.aud as string[]);
  return {
    sub: claims.sub as string,
    aud,
    ...(typeof claims.azp === 'string' && { azp: claims.azp }),
    ...(typeof claims.sid === 'string' && { sid: claims.sid }),
    expired,
  };
}
