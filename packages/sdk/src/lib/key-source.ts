import { discoverJwksUri } from '../discovery.js';
import { DiscoveryError, KeyRevokedError } from '../errors.js';
import {
  openKeySet,
  UNAVAILABLE_RETRY_MS,
  type RemoteKeySet,
  type ResolvedKeySetOptions,
} from '../jwks.js';
import type { RevocationSource } from '../revocation/revocation-source.js';
import type { VerificationKey } from './jwk.js';

/** Finds the verification key for a `kid`, sync when cached (see {@link RemoteKeySet.getKey}). */
export type KeySource = (kid: string) => VerificationKey | Promise<VerificationKey>;

/**
 * The verifier's keys: from `jwksUri` when configured, else from discovery on first use. A failed
 * discovery is retried on a later call (not cached forever, so a service that booted during an
 * IdP outage recovers on its own), but at most once per second to spare the IdP.
 *
 * With a `revocation` source that knows revoked keys, a revoked `kid` is refused before any
 * look-up, and the key is dropped from the cache for good.
 */
export function createKeySource(
  issuer: string,
  jwksUri: URL | undefined,
  options: ResolvedKeySetOptions,
  revocation?: RevocationSource,
): KeySource {
  // Shared with whichever key set discovery opens, so a key refused before that stays out.
  const forgotten = new Set<string>();
  const lookup = createLookup(issuer, jwksUri, options, forgotten);
  if (revocation?.checkKey === undefined) return (kid) => lookup.getKey(kid);
  const checkKey = revocation.checkKey.bind(revocation);
  return (kid) => {
    try {
      checkKey(kid);
    } catch (error) {
      // A compromised key signs whatever an attacker likes, so the check is the kid alone, before
      // the signature; and once the revocation record has expired, a JWKS document still cached
      // somewhere must not bring the key back.
      if (error instanceof KeyRevokedError) lookup.forget(kid);
      throw error;
    }
    return lookup.getKey(kid);
  };
}

function createLookup(
  issuer: string,
  jwksUri: URL | undefined,
  options: ResolvedKeySetOptions,
  forgotten: Set<string>,
): Pick<RemoteKeySet, 'getKey' | 'forget'> {
  if (jwksUri) return openKeySet(jwksUri, options, forgotten);

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
            keySet = openKeySet(url, options, forgotten);
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

  return {
    getKey: (kid) => (keySet ? keySet.getKey(kid) : discover(kid)),
    forget(kid) {
      forgotten.add(kid);
      keySet?.forget(kid);
    },
  };
}
