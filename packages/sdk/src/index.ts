/**
 * @latchkey/sdk: verify Latchkey access tokens and ID tokens locally, against the IdP's
 * published keys. Koa middleware lives in `@latchkey/sdk/koa`, the Redis revocation source in
 * `@latchkey/sdk/redis`.
 */
export { createVerifier, type Verifier, type IdTokenVerifyOptions } from './verifier.js';
export { MAX_CLOCK_TOLERANCE_SEC, type VerifierOptions } from './verifier-options.js';
export type { RemoteKeySetOptions } from './jwks.js';
export type { RevocationSource, RevocationCheckClaims } from './revocation/revocation-source.js';
export { MAX_TOKEN_LENGTH } from '@latchkey/protocol';
export {
  createBearerAuthenticator,
  type BearerAuthenticator,
  type BearerDecision,
  type BearerDenial,
  type BearerOptions,
} from './bearer.js';
export {
  LatchkeyError,
  TokenInvalidError,
  TokenMalformedError,
  TokenAlgorithmError,
  TokenHeaderError,
  TokenTypeError,
  KeyNotFoundError,
  SignatureInvalidError,
  TokenExpiredError,
  TokenNotYetValidError,
  IssuerMismatchError,
  AudienceMismatchError,
  ClaimInvalidError,
  NonceMismatchError,
  TokenRevokedError,
  KeyRevokedError,
  VerificationUnavailableError,
  JwksUnavailableError,
  DiscoveryError,
  RevocationStaleError,
  RevocationLayoutError,
  TokenRequestError,
  IdpUnavailableError,
  type LatchkeyErrorCode,
} from './errors.js';
export {
  SIGNING_ALGORITHMS,
  type SigningAlgorithm,
  type AccessTokenClaims,
  type IdTokenClaims,
} from '@latchkey/protocol';
