import { createHash } from 'node:crypto';
import type { AccessTokenClaims } from '@latchkey/protocol';
import {
  TokenExpiredError,
  TokenInvalidError,
  TokenRequestError,
  VerificationUnavailableError,
  type LatchkeyErrorCode,
} from '../errors.js';
import type { Verifier } from '../verifier.js';
import type { ResolvedNextOptions } from './options.js';
import type { Sealer } from './sealed-value.js';
import {
  decodeSegment,
  parseStoredSession,
  SESSION_PURPOSE,
  type StoredSession,
} from './session-data.js';
import { createSingleFlight } from './single-flight.js';
import type { TokenClient } from './token-client.js';

/** A signed-in user, as every protected page and route handler sees it. */
export interface LatchkeySession {
  sub: string;
  username: string;
  roles: string[];
  /** The IdP session (single sign-on) this app session belongs to. */
  sid: string;
  /** The current access token, to call APIs on the user's behalf. */
  accessToken: string;
  /** Its verified claims. */
  claims: AccessTokenClaims;
  /** The key id and algorithm it was signed with. */
  kid: string;
  alg: string;
  expiresAt: Date;
  /** When the user last authenticated at the IdP. */
  authTime: Date | undefined;
  /**
   * How the user authenticated (RFC 8176 `amr`, e.g. `["pwd","otp","mfa"]`) and the level it
   * reached (OIDC `acr`), from the verified ID token; empty and undefined without one. An app
   * checks `acr` before a sensitive action and sends the user to `stepUpLoginPath` if short.
   */
  amr: string[];
  acr: string | undefined;
}

export type SessionState =
  /** `cookie` is set when the tokens were refreshed: the caller must store it. */
  | { kind: 'active'; session: LatchkeySession; cookie?: string }
  | { kind: 'none' }
  /** The session is over (revoked, expired, refused refresh): sign in again. */
  | { kind: 'ended'; reason: LatchkeyErrorCode }
  /** It could not be checked right now: answer 503, do not sign the user out. */
  | { kind: 'unavailable'; error: VerificationUnavailableError };

export interface SessionResolver {
  /**
   * Verifies the session in `cookie`. With `mayRefresh`, an access token close to expiry is
   * refreshed (once per refresh token, however many callers) and the new cookie returned;
   * only a caller that can store that cookie may pass it, or the rotated refresh token is lost.
   */
  resolve(cookie: string | undefined, mayRefresh: boolean): Promise<SessionState>;
  /** Seals freshly issued tokens into a session cookie value. */
  seal(stored: StoredSession): string;
  read(cookie: string | undefined): StoredSession | undefined;
}

interface Refreshed {
  stored: StoredSession;
  claims: AccessTokenClaims;
  cookie: string;
}

/** Refreshes kept past settling for late requests that still carry the old cookie. */
const REFRESH_GRACE_MS = 30_000;
const MAX_REFRESHES_IN_FLIGHT = 10_000;

export function createSessionResolver(deps: {
  options: ResolvedNextOptions;
  verifier: Verifier;
  ready: () => Promise<void>;
  tokens: TokenClient;
  sealer: Sealer;
  now?: () => number;
}): SessionResolver {
  const { options, verifier, ready, tokens, sealer } = deps;
  const now = deps.now ?? Date.now;
  const flights = createSingleFlight<Refreshed>({
    graceMs: REFRESH_GRACE_MS,
    maxEntries: MAX_REFRESHES_IN_FLIGHT,
    now,
  });

  const read = (cookie: string | undefined): StoredSession | undefined =>
    parseStoredSession(sealer.unseal(SESSION_PURPOSE, cookie));
  const seal = (stored: StoredSession): string => sealer.seal(SESSION_PURPOSE, stored);

  async function refresh(stored: StoredSession, refreshToken: string): Promise<Refreshed> {
    const key = createHash('sha256').update(refreshToken).digest('base64url');
    return flights.run(key, async () => {
      const issued = await tokens({ grant_type: 'refresh_token', refresh_token: refreshToken });
      const claims = await verifier.verifyAccessToken(issued.accessToken);
      // The new tokens must continue the same login: never switch user or session mid-flight.
      if (claims.sub !== stored.sub || claims.sid !== stored.sid) {
        throw new TokenRequestError(
          'invalid_grant',
          200,
          'the refreshed token is for another session',
        );
      }
      if (issued.idToken !== undefined) {
        await verifier.verifyIdToken(issued.idToken, { accessToken: issued.accessToken });
      }
      const next: StoredSession = {
        at: issued.accessToken,
        // RFC 6749 §6: without a new refresh token, the old one stays the one to use.
        rt: issued.refreshToken ?? refreshToken,
        it: issued.idToken ?? stored.it,
        sub: stored.sub,
        sid: stored.sid,
      };
      return { stored: next, claims, cookie: seal(next) };
    });
  }

  return {
    read,
    seal,

    async resolve(cookie, mayRefresh) {
      const stored = read(cookie);
      if (!stored) return { kind: 'none' };
      try {
        await ready();
        let claims: AccessTokenClaims | undefined;
        try {
          claims = await verifier.verifyAccessToken(stored.at);
        } catch (error) {
          if (!(error instanceof TokenExpiredError) || !mayRefresh || !stored.rt) throw error;
        }
        const nowSec = Math.floor(now() / 1000);
        if (
          claims &&
          (claims.exp - nowSec > options.refreshBeforeSec || !mayRefresh || !stored.rt)
        ) {
          return { kind: 'active', session: toSession(stored, claims) };
        }
        try {
          const refreshed = await refresh(stored, stored.rt!);
          const session = toSession(refreshed.stored, refreshed.claims);
          return { kind: 'active', session, cookie: refreshed.cookie };
        } catch (error) {
          // The IdP is down but the current token still has a little life: keep using it.
          if (claims && error instanceof VerificationUnavailableError) {
            return { kind: 'active', session: toSession(stored, claims) };
          }
          throw error;
        }
      } catch (error) {
        if (error instanceof TokenInvalidError) return { kind: 'ended', reason: error.code };
        if (error instanceof TokenRequestError) {
          options.logger.warn('refresh refused', { error: error.error, status: error.status });
          return { kind: 'ended', reason: error.code };
        }
        if (error instanceof VerificationUnavailableError) return { kind: 'unavailable', error };
        throw error;
      }
    },
  };
}

function toSession(stored: StoredSession, claims: AccessTokenClaims): LatchkeySession {
  const header = decodeSegment(stored.at, 0);
  const idClaims = stored.it === undefined ? undefined : decodeSegment(stored.it, 1);
  const authTime = claims.auth_time ?? idClaims?.auth_time;
  return {
    sub: claims.sub,
    username: claims.preferred_username ?? claims.sub,
    roles: claims.roles ?? [],
    sid: stored.sid,
    accessToken: stored.at,
    claims,
    kid: typeof header?.kid === 'string' ? header.kid : '',
    alg: typeof header?.alg === 'string' ? header.alg : '',
    expiresAt: new Date(claims.exp * 1000),
    authTime: typeof authTime === 'number' ? new Date(authTime * 1000) : undefined,
    amr: Array.isArray(idClaims?.amr)
      ? idClaims.amr.filter((value): value is string => typeof value === 'string')
      : [],
    acr: typeof idClaims?.acr === 'string' ? idClaims.acr : undefined,
  };
}
