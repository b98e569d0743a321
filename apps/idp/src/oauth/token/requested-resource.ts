import { InvalidTargetError } from '../oauth-errors.js';

/**
 * RFC 8707 §2: `resource` names the API the token is for and becomes its `aud`. Without it
 * the client's registered resources are used, so an access token is never audienced to the
 * client itself (a client id as audience would let any API accept any token for that client).
 */
export function resolveResources(requested: string[], registered: readonly string[]): string[] {
  if (requested.length === 0) return [...registered];
  for (const resource of requested) {
    let url: URL | null = null;
    try {
      url = new URL(resource);
    } catch {
      // reported below
    }
    if (!url || url.hash)
      throw new InvalidTargetError('resource must be an absolute URI without fragment');
    if (!registered.includes(resource)) {
      throw new InvalidTargetError('resource is not registered for this client');
    }
  }
  return [...new Set(requested)];
}
