import {
  DEFAULT_ALGORITHMS,
  DEFAULT_CLOCK_TOLERANCE_SEC,
  isSigningAlgorithm,
  MAX_CLOCK_TOLERANCE_SEC,
  type SigningAlgorithm,
} from '@latchkey/protocol';
import {
  resolveKeySetOptions,
  type RemoteKeySetOptions,
  type ResolvedKeySetOptions,
} from './jwks.js';
import { resolveDpopOptions, type DpopOptions, type ResolvedDpopOptions } from './dpop-options.js';
import { parseSecureUrl } from './lib/url.js';
import { checkMetrics, type SdkMetrics } from './metrics/sdk-metrics.js';
import {
  resolveLogoutTokenOptions,
  type LogoutTokenOptions,
  type ResolvedLogoutTokenOptions,
} from './logout/logout-token-options.js';
import type { RevocationSource } from './revocation/revocation-source.js';

export interface VerifierOptions {
  /**
   * The issuer identifier, compared exactly with `iss`. Must be an https URL without query or
   * fragment; plain http is accepted only for loopback hosts (`localhost`, `*.localhost`,
   * `127.0.0.1`, `[::1]`), for development.
   */
  issuer: string;
  /** Audience(s) this service accepts in access tokens; a token must name at least one. Required. */
  audience: string | string[];
  /** This application's OAuth client_id. Required only for `verifyIdToken`. */
  clientId?: string;
  /**
   * Where the public keys are. Default: the `jwks_uri` of the issuer's discovery document
   * (`${issuer}/.well-known/openid-configuration`), fetched on first use. Same https rule as issuer.
   */
  jwksUri?: string | URL;
  /**
   * Accept a plain-http `jwksUri` on any host, not only on loopback: for a private network the
   * operator vouches for, such as a container network (`http://idp:4000/jwks`). Default `false`.
   */
  allowHttpJwksUri?: boolean;
  /**
   * Accepted signature algorithms. Default `['ES256', 'RS256', 'EdDSA']`. Only asymmetric
   * algorithms exist here: `none` and HS* are refused with a TypeError (RFC 8725 §3.1, §3.2).
   */
  algorithms?: SigningAlgorithm[];
  /** Leeway in seconds for `exp`, `nbf`, `iat` and `auth_time`. Default `5`, at most `300`. */
  clockToleranceSec?: number;
  /** Clock in epoch milliseconds. Default `Date.now`. Also the key-set clock unless `jwks.now` is set. */
  now?: () => number;
  /** Key-set cache tuning; every default is documented on {@link RemoteKeySetOptions}. */
  jwks?: RemoteKeySetOptions;
  /**
   * Asked on every verification, after the signature and claims passed, whether the token has
   * been revoked (e.g. `createRedisRevocationSource` from `@latchkey/sdk/redis`). Default: none,
   * so a token stays valid until it expires.
   */
  revocation?: RevocationSource;
  /**
   * How many verified access tokens to remember, by their exact string, so that the same
   * token presented again skips the signature check (expiry, key and revocation are still
   * checked on every call). About 1 KiB each; the oldest goes first. Default `10000`; `0`
   * turns it off.
   */
  tokenCacheSize?: number;
  /**
   * Back-Channel Logout: typing, lifetime and replay cache for `verifyLogoutToken`; every
   * default is documented on {@link LogoutTokenOptions}.
   */
  logoutToken?: LogoutTokenOptions;
  /**
   * Where to count verifications by outcome and JWKS fetches: `createPrometheusMetrics(registry)`
   * from `@latchkey/sdk/metrics`, or your own {@link SdkMetrics}. Default: none, and then
   * nothing is counted and the verifier runs exactly as without the option.
   */
  metrics?: SdkMetrics;
  /**
   * DPoP-bound access tokens (RFC 9449): the proof window and the `jti` replay cache; every
   * default is documented on {@link DpopOptions}.
   */
  dpop?: DpopOptions;
}

export interface ResolvedVerifierOptions {
  issuer: string;
  audiences: readonly string[];
  clientId: string | undefined;
  jwksUri: URL | undefined;
  algorithms: ReadonlySet<SigningAlgorithm>;
  toleranceSec: number;
  now: () => number;
  jwks: ResolvedKeySetOptions;
  revocation: RevocationSource | undefined;
  tokenCacheSize: number;
  logoutToken: ResolvedLogoutTokenOptions;
  metrics: SdkMetrics | undefined;
  dpop: ResolvedDpopOptions;
}

// The limits are the token core's (one set for the SDK and the IdP); re-exported as before.
export { MAX_CLOCK_TOLERANCE_SEC };
export const DEFAULT_TOKEN_CACHE_SIZE = 10_000;

/** Checks every option once, at construction, so that mistakes fail at startup (TypeError). */
export function resolveVerifierOptions(options: VerifierOptions): ResolvedVerifierOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('verifier options must be an object');
  }
  const issuerUrl = parseSecureUrl(options.issuer);
  if (typeof options.issuer !== 'string' || !issuerUrl) {
    throw new TypeError('issuer must be an https URL (http only for loopback hosts)');
  }
  // OIDC Discovery §3 / RFC 8414 §2: an issuer identifier has no query and no fragment.
  if (issuerUrl.search !== '' || issuerUrl.hash !== '' || options.issuer.includes('#')) {
    throw new TypeError('issuer must not have a query or fragment');
  }

  const audiences = typeof options.audience === 'string' ? [options.audience] : options.audience;
  if (
    !Array.isArray(audiences) ||
    audiences.length === 0 ||
    !audiences.every((a) => typeof a === 'string' && a !== '')
  ) {
    throw new TypeError('audience must be a non-empty string or array of non-empty strings');
  }
  if (
    options.clientId !== undefined &&
    (typeof options.clientId !== 'string' || options.clientId === '')
  ) {
    throw new TypeError('clientId must be a non-empty string');
  }

  let jwksUri: URL | undefined;
  if (options.jwksUri !== undefined) {
    const allowHttp = options.allowHttpJwksUri ?? false;
    if (typeof allowHttp !== 'boolean') throw new TypeError('allowHttpJwksUri must be a boolean');
    jwksUri = parseSecureUrl(options.jwksUri, allowHttp);
    if (!jwksUri) {
      throw new TypeError(
        'jwksUri must be an https URL (http only for loopback hosts, or with allowHttpJwksUri)',
      );
    }
  }

  const algorithms = options.algorithms ?? DEFAULT_ALGORITHMS;
  if (
    !Array.isArray(algorithms) ||
    algorithms.length === 0 ||
    !algorithms.every(isSigningAlgorithm)
  ) {
    throw new TypeError(
      `algorithms must be a non-empty subset of ${DEFAULT_ALGORITHMS.join(', ')}`,
    );
  }

  const toleranceSec = options.clockToleranceSec ?? DEFAULT_CLOCK_TOLERANCE_SEC;
  if (
    typeof toleranceSec !== 'number' ||
    !Number.isFinite(toleranceSec) ||
    toleranceSec < 0 ||
    toleranceSec > MAX_CLOCK_TOLERANCE_SEC
  ) {
    throw new TypeError(`clockToleranceSec must be between 0 and ${MAX_CLOCK_TOLERANCE_SEC}`);
  }

  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw new TypeError('now must be a function');
  if (options.jwks !== undefined && (typeof options.jwks !== 'object' || options.jwks === null)) {
    throw new TypeError('jwks options must be an object');
  }
  const metrics = checkMetrics(options.metrics);
  const keySet = resolveKeySetOptions({ ...options.jwks, now: options.jwks?.now ?? now });
  const jwks = metrics ? { ...keySet, fetched: metrics.jwksFetch.bind(metrics) } : keySet;

  const { revocation } = options;
  if (
    revocation !== undefined &&
    (typeof revocation !== 'object' ||
      revocation === null ||
      typeof (revocation as Partial<RevocationSource>).check !== 'function')
  ) {
    throw new TypeError('revocation must be a revocation source with a check function');
  }

  const tokenCacheSize = options.tokenCacheSize ?? DEFAULT_TOKEN_CACHE_SIZE;
  if (!Number.isSafeInteger(tokenCacheSize) || tokenCacheSize < 0) {
    throw new TypeError('tokenCacheSize must be a whole number ≥ 0');
  }

  return {
    issuer: options.issuer,
    audiences: [...audiences],
    clientId: options.clientId,
    jwksUri,
    algorithms: new Set(algorithms),
    toleranceSec,
    now,
    jwks,
    revocation,
    tokenCacheSize,
    logoutToken: resolveLogoutTokenOptions(options.logoutToken, now, new Set(algorithms)),
    dpop: resolveDpopOptions(options.dpop, now),
    metrics,
  };
}
