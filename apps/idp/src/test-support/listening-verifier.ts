import { createVerifier, type Verifier } from '@latchkey/sdk';
import { createRedisRevocationSource } from '@latchkey/sdk/redis';
import { ISSUER, WIKI_API } from './grants.js';

/**
 * The SDK as a service runs it: a verifier for the wiki's API whose revoked set comes from the
 * IdP's Redis, connected and loaded before it is handed out. `close` lets go of Redis.
 */
export async function listeningVerifier(
  redisUrl: string,
  idpUrl: string,
): Promise<{ sdk: Verifier; close(): Promise<void> }> {
  const source = createRedisRevocationSource({ url: redisUrl });
  await source.ready({ signal: AbortSignal.timeout(5_000) });
  const sdk = createVerifier({
    issuer: ISSUER,
    audience: WIKI_API,
    jwksUri: `${idpUrl}/jwks`,
    revocation: source,
  });
  return { sdk, close: () => source.close() };
}
