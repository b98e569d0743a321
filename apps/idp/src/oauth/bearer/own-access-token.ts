import { createLocalJWKSet, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { ACCESS_TOKEN_TYP, SIGNING_ALGORITHMS, type AccessTokenClaims } from '@latchkey/protocol';
import type { Config } from '../../config/config.js';
import type { KeyManager } from '../../keys/key-manager.js';
import type { Session, SessionRepository } from '../../sessions/session.js';

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
 * The IdP's own check of an access token it issued (for /userinfo, /introspect, /revoke):
 * signature against its own published keys (no HTTP round trip), `typ: at+jwt` (an ID token
 * is not an access token, RFC 8725 §3.11), `iss`, `exp`; and, for a user token, that its
 * session still exists. That last check is stricter than the SDK's revoked set: a session
 * ended by logout, reuse detection or an operator makes its tokens inactive here at once.
 * Resolves to null for anything not active; never throws for a bad token.
 */
export function createOwnAccessTokenCheck(
  deps: OwnTokenDeps,
): (token: string) => Promise<ActiveAccessToken | null> {
  const keySet = ownKeySet(deps.keys);
  return async (token) => {
    const claims = await verifyOwnJwt(token, keySet(), deps.config.issuer, deps.now());
    if (!claims) return null;
    if (claims.sid === undefined) return { claims, session: null };
    const session = await deps.sessions.find(claims.sid, deps.now());
    return session && session.sub === claims.sub ? { claims, session } : null;
  };
}

async function verifyOwnJwt(
  token: string,
  getKey: JWTVerifyGetKey,
  issuer: string,
  nowMs: number,
): Promise<AccessTokenClaims | null> {
  if (token.length > 4096) return null;
  try {
    const { payload } = await jwtVerify(token, getKey, {
      issuer,
      typ: ACCESS_TOKEN_TYP,
      algorithms: [...SIGNING_ALGORITHMS],
      currentDate: new Date(nowMs),
      requiredClaims: ['sub', 'exp', 'iat', 'jti', 'client_id'],
    });
    if (!hasAccessTokenClaimTypes(payload)) return null;
    return payload as unknown as AccessTokenClaims;
  } catch {
    return null;
  }
}

/**
 * The claims the IdP reads, with the types it reads them as. A token with our signature but
 * another shape (a bug, an older version, a stolen key) is inactive, never a crash: `sid: null`
 * used to reach the session lookup and answer 500.
 */
function hasAccessTokenClaimTypes(payload: Record<string, unknown>): boolean {
  const optional = (value: unknown, type: 'string' | 'number') =>
    value === undefined || typeof value === type;
  const { aud } = payload;
  return (
    typeof payload.sub === 'string' &&
    typeof payload.client_id === 'string' &&
    (typeof aud === 'string' || (Array.isArray(aud) && aud.every((a) => typeof a === 'string'))) &&
    optional(payload.sid, 'string') &&
    optional(payload.scope, 'string') &&
    optional(payload.preferred_username, 'string') &&
    optional(payload.auth_time, 'number')
  );
}

/**
 * The published keys (pending, active, retired) as a jose key set, rebuilt only when the
 * key set changes. A revoked key is gone from it, so its tokens stop verifying at once.
 */
export function ownKeySet(keys: KeyManager): () => JWTVerifyGetKey {
  let cached: { etag: string; getKey: JWTVerifyGetKey } | null = null;
  return () => {
    const document = keys.jwks();
    if (cached?.etag !== document.etag) {
      const jwks = JSON.parse(document.body.toString('utf8')) as JSONWebKeySet;
      cached = { etag: document.etag, getKey: createLocalJWKSet(jwks) };
    }
    return cached.getKey;
  };
}
