import type { StoredClient } from '../../clients/client.js';
import { clientMetadata } from '../../clients/client-metadata.js';

/**
 * A client as the admin API shows it: RFC 7591 metadata, never the secret's digest. A secret
 * the IdP just made is added once, with `client_secret_expires_at: 0` (RFC 7591 §3.2.1: it
 * does not expire).
 */
export function clientJson(
  client: StoredClient,
  secret: string | null = null,
): Record<string, unknown> {
  return {
    ...clientMetadata(client),
    client_id_issued_at: Math.floor(client.createdAt.getTime() / 1000),
    ...(secret !== null && { client_secret: secret, client_secret_expires_at: 0 }),
  };
}

/** The ETag of a client's representation: its row version. */
export const clientEtag = (client: StoredClient): string => `"v${client.version}"`;
