import {
  DEFAULT_LOGOUT_TOKEN_MAX_LIFETIME_SEC,
  isSigningAlgorithm,
  type SigningAlgorithm,
} from '@latchkey/protocol';
import { createMemoryReplayCache, type ReplayCache } from './replay-cache.js';

/** How `verifyLogoutToken` treats logout tokens (OpenID Connect Back-Channel Logout 1.0). */
export interface LogoutTokenOptions {
  /**
   * Require the `typ` header `logout+jwt` (§2.4, RFC 8725 §3.11). Default `true`. Set `false`
   * only for an IdP that does not type its logout tokens: untyped and `JWT` are then accepted
   * too, and the `events` and `nonce` rules alone keep an ID token from passing as one.
   */
  requireExplicitType?: boolean;
  /**
   * The algorithms a logout token may be signed with: those of this client's ID tokens
   * (§2.6 step 3), its registered `id_token_signed_response_alg`. Default `['RS256']`, the
   * OpenID Connect default and Latchkey's ID-token algorithm. Must be among the verifier's
   * `algorithms`.
   */
  algorithms?: SigningAlgorithm[];
  /**
   * How far ahead `exp` may lie, in seconds (plus the clock tolerance): a logout token is
   * short-lived (§2.4 recommends two minutes or less). Default `180`, at most `600`.
   */
  maxLifetimeSec?: number;
  /**
   * Where accepted `jti`s are remembered until the token expires, so a replay is refused
   * (§2.6 step 8). Default: an in-memory cache of 10 000 entries, for this process only; with
   * several instances behind one logout URI, share one (`createRedisReplayCache`).
   */
  replayCache?: ReplayCache;
}

export interface ResolvedLogoutTokenOptions {
  algorithms: ReadonlySet<SigningAlgorithm>;
  requireExplicitType: boolean;
  maxLifetimeSec: number;
  replayCache: ReplayCache;
}

export const MAX_LOGOUT_TOKEN_LIFETIME_SEC = 600;

/** Checks the options once, at construction (TypeError). */
export function resolveLogoutTokenOptions(
  options: LogoutTokenOptions | undefined,
  now: () => number,
  verifierAlgorithms: ReadonlySet<SigningAlgorithm>,
): ResolvedLogoutTokenOptions {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError('logoutToken options must be an object');
  }
  const algorithms = resolveAlgorithms(options?.algorithms, verifierAlgorithms);
  const requireExplicitType = options?.requireExplicitType ?? true;
  if (typeof requireExplicitType !== 'boolean') {
    throw new TypeError('logoutToken.requireExplicitType must be a boolean');
  }
  const maxLifetimeSec = options?.maxLifetimeSec ?? DEFAULT_LOGOUT_TOKEN_MAX_LIFETIME_SEC;
  if (
    typeof maxLifetimeSec !== 'number' ||
    !Number.isFinite(maxLifetimeSec) ||
    maxLifetimeSec <= 0 ||
    maxLifetimeSec > MAX_LOGOUT_TOKEN_LIFETIME_SEC
  ) {
    throw new TypeError(
      `logoutToken.maxLifetimeSec must be above 0 and at most ${MAX_LOGOUT_TOKEN_LIFETIME_SEC}`,
    );
  }
  const replayCache = options?.replayCache ?? createMemoryReplayCache({ now });
  if (typeof (replayCache as Partial<ReplayCache> | null)?.remember !== 'function') {
    throw new TypeError('logoutToken.replayCache must have a remember function');
  }
  return { algorithms: new Set(algorithms), requireExplicitType, maxLifetimeSec, replayCache };
}

function resolveAlgorithms(
  given: unknown,
  verifierAlgorithms: ReadonlySet<SigningAlgorithm>,
): SigningAlgorithm[] {
  // A verifier narrowed away from RS256 (an API that reads only ES256 access tokens) still
  // constructs; it accepts no logout token until it is told which algorithm to take.
  if (given === undefined) return verifierAlgorithms.has('RS256') ? ['RS256'] : [];
  if (
    !Array.isArray(given) ||
    given.length === 0 ||
    !given.every((alg) => isSigningAlgorithm(alg) && verifierAlgorithms.has(alg))
  ) {
    throw new TypeError(
      "logoutToken.algorithms must be a non-empty subset of the verifier's algorithms",
    );
  }
  return given as SigningAlgorithm[];
}
