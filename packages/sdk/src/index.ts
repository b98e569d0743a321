/**
 * @latchkey/sdk: verify Latchkey access tokens, ID tokens and back-channel logout tokens
 * locally, against the IdP's published keys. Koa middleware lives in `@latchkey/sdk/koa`, the
 * Redis revocation source and replay cache in `@latchkey/sdk/redis`, Prometheus metrics in
 * `@latchkey/sdk/metrics`.
 */
export {
  createVerifier,
  type Verifier,
  type IdTokenVerifyOptions,
  type AccessTokenVerifyOptions,
  type DpopRequest,
} from './verifier.js';
export { MAX_DPOP_PROOF_WINDOW_SEC, type DpopOptions } from './dpop-options.js';
export { MAX_CLOCK_TOLERANCE_SEC, type VerifierOptions } from './verifier-options.js';
export type { RemoteKeySetOptions } from './jwks.js';
export type { RevocationSource, RevocationCheckClaims } from './revocation/revocation-source.js';
export type {
  SdkMetrics,
  VerifiedTokenKind,
  JwksFetchOutcome,
  RevocationSourceKind,
  RevocationFreshness,
} from './metrics/sdk-metrics.js';
export { MAX_TOKEN_LENGTH } from '@latchkey/protocol';
export type { LogoutTokenOptions } from './logout/logout-token-options.js';
export {
  createMemoryReplayCache,
  type ReplayCache,
  type MemoryReplayCache,
  type MemoryReplayCacheOptions,
} from './logout/replay-cache.js';
export {
  createLoggedOutSessions,
  type LoggedOutSessions,
  type LoggedOutSessionsOptions,
} from './logout/logged-out-sessions.js';
export {
  createBackChannelLogoutHandler,
  type BackChannelLogoutHandler,
  type BackChannelLogoutEvent,
  type BackChannelLogoutOptions,
  type LogoutHttpRequest,
  type LogoutHttpResponse,
} from './logout/back-channel-logout.js';
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
  TokenReplayedError,
  KeyRevokedError,
  VerificationUnavailableError,
  JwksUnavailableError,
  DiscoveryError,
  RevocationStaleError,
  RevocationLayoutError,
  TokenRequestError,
  IdpUnavailableError,
  SignalStreamError,
  DpopProofError,
  DpopProofReplayedError,
  DpopBindingError,
  type LatchkeyErrorCode,
} from './errors.js';
export {
  SIGNING_ALGORITHMS,
  type SigningAlgorithm,
  type AccessTokenClaims,
  type IdTokenClaims,
  type LogoutTokenClaims,
} from '@latchkey/protocol';
