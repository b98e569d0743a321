/**
 * `@latchkey/protocol/jwt`: the one token core. Compact JWS parsing and signature checks,
 * claim checks and the signer, on node:crypto directly; used by the SDK's verifier and by the
 * IdP for its own tokens, under the limits of `../limits.ts`.
 */
export {
  createJwsParser,
  verifyJwsSignature,
  decodeJwsPayload,
  type JwsParser,
  type ParsedJws,
} from './compact-jws.js';
export {
  checkAccessTokenClaims,
  checkIdTokenClaims,
  checkAccessTokenHash,
  checkRegisteredClaimTypes,
  checkValidityPeriod,
  isWithinValidity,
  type ClaimContext,
  type IdTokenChecks,
} from './claims.js';
export { checkLogoutTokenClaims, type LogoutTokenChecks } from './logout-token-claims.js';
export { importVerificationKey, type VerificationKey } from './verification-key.js';
export { isAccessTokenType, isIdTokenType, isLogoutTokenType } from './token-types.js';
export { signCompactJws, type SigningKey } from './sign.js';
export { isLowS, withNegatedS } from './ecdsa-low-s.js';
export {
  DPOP_SIGNING_ALGORITHMS,
  DPOP_PROOF_TYP,
  DEFAULT_DPOP_PROOF_WINDOW_SEC,
  checkDpopProof,
  checkDpopBinding,
  dpopAccessTokenHash,
  dpopHtu,
  jwkThumbprint,
  type DpopProofInput,
  type CheckedDpopProof,
} from './dpop-proof.js';
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
  MAX_TOKEN_LENGTH,
  DEFAULT_ALGORITHMS,
  DEFAULT_CLOCK_TOLERANCE_SEC,
  ISSUER_CLOCK_TOLERANCE_SEC,
  MAX_CLOCK_TOLERANCE_SEC,
  MIN_RSA_BITS,
} from '../limits.js';
