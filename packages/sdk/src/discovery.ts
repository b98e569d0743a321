import { DiscoveryError } from './errors.js';
import { getJson } from './lib/http.js';
import { parseSecureUrl } from './lib/url.js';

/**
 * OpenID Connect Discovery 1.0: find the issuer's `jwks_uri` from its provider metadata.
 */

/** The metadata URL for `issuer` (Discovery §4: drop a trailing `/`, then append the path). */
export function discoveryUrl(issuer: string): URL {
  return new URL(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
}

/**
 * Fetches the provider metadata once and returns its `jwks_uri`. Throws {@link DiscoveryError}
 * when it cannot be fetched, or when it names another issuer: Discovery §4.3 requires an exact
 * match, otherwise a host could publish metadata that makes us trust someone else's keys.
 */
export async function discoverJwksUri(issuer: string, timeoutMs: number): Promise<URL> {
  let body: unknown;
  try {
    const response = await getJson(discoveryUrl(issuer), timeoutMs);
    if (response.status !== 200) {
      throw new DiscoveryError(`discovery endpoint answered HTTP ${response.status}`);
    }
    body = response.body;
  } catch (cause) {
    if (cause instanceof DiscoveryError) throw cause;
    throw new DiscoveryError('discovery document could not be fetched', { cause });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new DiscoveryError('discovery document is not a JSON object');
  }
  const metadata = body as Record<string, unknown>;
  if (metadata.issuer !== issuer) {
    throw new DiscoveryError('discovery document issuer does not match the configured issuer');
  }
  const jwksUri = parseSecureUrl(metadata.jwks_uri);
  if (!jwksUri) throw new DiscoveryError('discovery document has no usable https jwks_uri');
  return jwksUri;
}
