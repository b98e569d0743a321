import { JwksUnavailableError, KeyNotFoundError } from './errors.js';
import { cacheLifetimeMs, type CacheBounds } from './lib/cache-control.js';
import { getJson } from './lib/http.js';
import { importVerificationKey, type VerificationKey } from './lib/jwk.js';
import type { JwksFetchOutcome } from './metrics/sdk-metrics.js';

/**
 * A cache of the IdP's public keys (RFC 7517 JWK Set), fetched over HTTP. It is built so that
 * (1) an IdP outage or a broken response never replaces keys that worked, and (2) tokens carrying
 * random `kid`s cannot make us hammer the IdP.
 */

export interface RemoteKeySetOptions {
  /** Abort a fetch after this many ms. Default `5_000`. */
  timeoutMs?: number;
  /**
   * Least time between fetches caused by an unknown `kid` (counted from the last fetch of any
   * kind), and the wait before retrying a failed fetch while a good set is held. Default `30_000`.
   */
  cooldownMs?: number;
  /** Shortest cache lifetime; also used for `no-cache`/`no-store`/`max-age=0`. Default `30_000`. */
  cacheMinMs?: number;
  /** Longest cache lifetime, whatever `max-age` says. Default `86_400_000` (24 h). */
  cacheMaxMs?: number;
  /** Cache lifetime when the response has no `max-age`. Default `300_000` (5 min). */
  cacheDefaultMs?: number;
  /** Clock in epoch ms, for tests. Default `Date.now`. */
  now?: () => number;
}

export interface RemoteKeySet {
  readonly url: URL;
  /**
   * The key named `kid`. Returns synchronously when the cache is fresh and holds it (the hot
   * path), else a promise. Throws {@link KeyNotFoundError} or {@link JwksUnavailableError}.
   */
  getKey(kid: string): VerificationKey | Promise<VerificationKey>;
  /**
   * Drops the key `kid` from the cache and keeps it out of every later fetch: a revoked
   * (compromised) key must not come back from a JWKS document that some cache between us and
   * the IdP still serves. For the life of this key set; kids are never reused.
   */
  forget(kid: string): void;
}

/** Without any good key set there is nothing to serve, so retry sooner than `cooldownMs`. */
export const UNAVAILABLE_RETRY_MS = 1_000;

/** Options with every default filled in and every value checked. */
export interface ResolvedKeySetOptions {
  timeoutMs: number;
  cooldownMs: number;
  bounds: CacheBounds;
  now: () => number;
  /** Told how each fetch ended (the `metrics` option); absent, nothing is told. */
  fetched?: (outcome: JwksFetchOutcome) => void;
}

/** Validates options once (TypeError on bad ones) so that mistakes surface at startup. */
export function resolveKeySetOptions(options: RemoteKeySetOptions = {}): ResolvedKeySetOptions {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('jwks options must be an object');
  const bounds: CacheBounds = {
    minMs: duration(options.cacheMinMs, 30_000, 'cacheMinMs', 0),
    maxMs: duration(options.cacheMaxMs, 86_400_000, 'cacheMaxMs', 0),
    defaultMs: duration(options.cacheDefaultMs, 300_000, 'cacheDefaultMs', 0),
  };
  if (bounds.minMs > bounds.maxMs) throw new TypeError('cacheMinMs must not exceed cacheMaxMs');
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw new TypeError('now must be a function');
  return {
    timeoutMs: duration(options.timeoutMs, 5_000, 'timeoutMs', 1),
    cooldownMs: duration(options.cooldownMs, 30_000, 'cooldownMs', 0),
    bounds,
    now,
  };
}

/**
 * A key set fetched from `jwksUrl` (already checked: https, or http on loopback). Keys named in
 * `forgotten` are never imported; {@link RemoteKeySet.forget} adds to it.
 */
export function openKeySet(
  jwksUrl: URL,
  options: ResolvedKeySetOptions,
  forgotten: Set<string> = new Set(),
): RemoteKeySet {
  const { timeoutMs, cooldownMs, bounds, now, fetched } = options;

  let keys: Map<string, VerificationKey> | undefined;
  let etag: string | undefined;
  let expiresAt = -Infinity;
  let lastFetchAt = -Infinity;
  let retryAt = -Infinity;
  let lastError: unknown;
  let inflight: Promise<void> | undefined;

  // Never rejects: failures are recorded and the last good set stays in place.
  async function load(): Promise<void> {
    lastFetchAt = now();
    let outcome: JwksFetchOutcome;
    try {
      // RFC 9110 §13.1.2: revalidate with the ETag of the set we hold, if any.
      const held = keys !== undefined ? etag : undefined;
      const headers: Record<string, string> = held !== undefined ? { 'if-none-match': held } : {};
      const response = await getJson(jwksUrl, timeoutMs, headers);
      if (response.status === 304 && held !== undefined) {
        expiresAt = now() + cacheLifetimeMs(response.headers, bounds);
        outcome = 'not_modified';
      } else if (response.status === 200) {
        keys = importKeySet(response.body, forgotten);
        etag = response.headers.get('etag') ?? undefined;
        expiresAt = now() + cacheLifetimeMs(response.headers, bounds);
        outcome = 'updated';
      } else {
        throw new Error(`JWKS endpoint answered HTTP ${response.status}`);
      }
      lastError = undefined;
      retryAt = -Infinity;
    } catch (error) {
      outcome = 'error';
      lastError = error;
      retryAt = now() + (keys ? cooldownMs : Math.min(cooldownMs, UNAVAILABLE_RETRY_MS));
    }
    fetched?.(outcome);
  }

  function refresh(): Promise<void> {
    // One request at a time however many verifications are waiting for it.
    inflight ??= load().finally(() => {
      inflight = undefined;
    });
    return inflight;
  }

  async function slowPath(kid: string): Promise<VerificationKey> {
    if (keys === undefined || now() >= expiresAt) {
      if (now() >= retryAt) await refresh();
      if (keys === undefined) {
        throw new JwksUnavailableError('no usable JWKS has been fetched yet', { cause: lastError });
      }
    }
    const key = keys.get(kid);
    if (key) return key;
    // Maybe the IdP rotated keys; look again, but at most once per cooldown so that tokens with
    // random kids cannot turn us into a request amplifier against the IdP.
    if (now() - lastFetchAt >= cooldownMs && now() >= retryAt) {
      await refresh();
      const refetched = keys.get(kid);
      if (refetched) return refetched;
    }
    throw new KeyNotFoundError('no key in the JWKS matches the token kid');
  }

  return {
    url: jwksUrl,
    getKey(kid) {
      if (keys !== undefined && now() < expiresAt) {
        const key = keys.get(kid);
        if (key) return key;
      }
      return slowPath(kid);
    },
    forget(kid) {
      forgotten.add(kid);
      keys?.delete(kid);
    },
  };
}

/** Imports a JWK Set, keeping only usable signing keys not forgotten. Throws if none is usable. */
function importKeySet(body: unknown, forgotten: Set<string>): Map<string, VerificationKey> {
  if (
    typeof body !== 'object' ||
    body === null ||
    !Array.isArray((body as { keys?: unknown }).keys)
  ) {
    throw new Error('JWKS response is not a JSON object with a keys array');
  }
  const result = new Map<string, VerificationKey>();
  for (const jwk of (body as { keys: unknown[] }).keys) {
    const key = importVerificationKey(jwk);
    // The first key wins a duplicated kid, so the choice never depends on the token.
    if (key && !result.has(key.kid) && !forgotten.has(key.kid)) result.set(key.kid, key);
  }
  if (result.size === 0) throw new Error('JWKS contains no usable signing key');
  return result;
}

function duration(value: unknown, fallback: number, name: string, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new TypeError(`${name} must be a finite number ≥ ${min}`);
  }
  return value;
}
