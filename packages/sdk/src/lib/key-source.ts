import { discoverJwksUri } from '../discovery.js';
import { DiscoveryError } from '../errors.js';
import {
  openKeySet,
  UNAVAILABLE_RETRY_MS,
  type RemoteKeySet,
  type ResolvedKeySetOptions,
} from '../jwks.js';
import type { VerificationKey } from './jwk.js';

/** Finds the verification key for a `kid`, sync when cached (see {@link RemoteKeySet.getKey}). */
export type KeySource = (kid: string) => VerificationKey | Promise<VerificationKey>;

/**
 * The verifier's keys: from `jwksUri` when configured, else from discovery on first use. A failed
 * discovery is retried on a later call (not cached forever, so a service that booted during an
 * IdP outage recovers on its own), but at most once per second to spare the IdP.
 */
export function createKeySource(
  issuer: string,
  jwksUri: URL | undefined,
  options: ResolvedKeySetOptions,
): KeySource {
  if (jwksUri) {
    const keySet = openKeySet(jwksUri, options);
    return (kid) => keySet.getKey(kid);
  }

  let keySet: RemoteKeySet | undefined;
  let pending: Promise<void> | undefined;
  let failure: DiscoveryError | undefined;
  let failedAt = -Infinity;
  const retryMs = Math.min(options.cooldownMs, UNAVAILABLE_RETRY_MS);

  async function discover(kid: string): Promise<VerificationKey> {
    if (options.now() - failedAt >= retryMs) {
      pending ??= discoverJwksUri(issuer, options.timeoutMs)
        .then(
          (url) => {
            keySet = openKeySet(url, options);
          },
          (error: unknown) => {
            failure =
              error instanceof DiscoveryError
                ? error
                : new DiscoveryError('discovery failed', { cause: error });
            failedAt = options.now();
          },
        )
        .finally(() => {
          pending = undefined;
        });
      await pending;
    }
    if (!keySet) throw failure ?? new DiscoveryError('discovery failed');
    return keySet.getKey(kid);
  }

  return (kid) => (keySet ? keySet.getKey(kid) : discover(kid));
}
