/**
 * @latchkey/sdk/ssf: the revoked set from the IdP's Shared Signals stream (SSF 1.0, CAEP 1.0,
 * RFC 8936 poll), for `createVerifier`'s `revocation` option, for services that cannot reach
 * the IdP's Redis. No dependency beyond the core.
 */
export {
  createSsfRevocationSource,
  type SsfRevocationSource,
  type SsfRevocationSourceStatus,
  type PushRequest,
  type PushAnswer,
} from './revocation/ssf-revocation-source.js';
export type { SsfRevocationSourceOptions } from './revocation/ssf-source-options.js';
export type { RevocationLogger } from './revocation/redis-source-options.js';
