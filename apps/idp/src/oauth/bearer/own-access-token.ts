import { ISSUER_CLOCK_TOLERANCE_SEC, type AccessTokenClaims } from '@latchkey/protocol';
import {
  checkAccessTokenClaims,
  isAccessTokenType,
  TokenInvalidError,
} from '@latchkey/protocol/jwt';
import type { Config } from '../../config/config.js';
import type { KeyManager } from '../../keys/key-manager.js';
import type { Session, SessionRepository } from '../../sessions/session.js';
import { createOwnJwsReader, type OwnJwsReader } from '../../tokens/own-token-reader.js';

export interface ActiveAccessToken {
  claims: AccessTokenClaims;
  /** The live session it was issued in; null for machine tokens, which have none. */
  session: Session | null;
}

export interface OwnTokenDeps {
  config: Config;
  keys: KeyManager;
  sessions: SessionRepository;
  now: () => number;
}

/**
 * The IdP's own check of an access token it issued (for /userinfo, /introspect, /revoke), with
 * the token core the SDK uses and its limits: signature against its own published keys (no
 * HTTP round trip), `typ: at+jwt` (an ID token is not an access token, RFC 8725 §3.11), the
 * RFC 9068 claims with their types, `iss`, `exp`/`nbf`/`iat` with no leeway (the clock that
 * set them reads them, ISSUER_CLOCK_TOLERANCE_SEC). `aud` is not compared: these
 * tokens are for other APIs, and introspection reports their audience (RFC 7662 §2.2). For a
 * user token its session must still exist. That last check is stricter than the SDK's revoked
 * set: a session ended by logout, reuse detection or an operator makes its tokens inactive
 * here at once. Resolves to null for anything not active; never throws for a bad token.
 */
export function createOwnAccessTokenCheck(
  deps: OwnTokenDeps,
): (token: string) => Promise<ActiveAccessToken | null> {
  const read = ownJwsReader(deps.keys);
  return async (token) => {
    let claims: AccessTokenClaims;
    try {
      const { payload } = read(token, isAccessTokenType);
      claims = checkAccessTokenClaims(
        payload,
        {
          issuer: deps.config.issuer,
          nowSec: Math.floor(deps.now() / 1000),
          toleranceSec: ISSUER_CLOCK_TOLERANCE_SEC,
        },
        'any',
      );
    } catch (error) {
      // Mistyped claims (`sid: null` once answered 500 here) are refused by the core's checks.
      if (error instanceof TokenInvalidError) return null;
      throw error;
    }
    if (claims.sid === undefined) return { claims, session: null };
    const session = await deps.sessions.find(claims.sid, deps.now());
    return session && session.sub === claims.sub ? { claims, session } : null;
  };
}

/** A reader of tokens signed by this IdP, over its in-process published key set. */
export function ownJwsReader(keys: KeyManager): OwnJwsReader {
  return createOwnJwsReader(() => keys.jwks());
}
