/**
 * Typed errors. Callers branch on `instanceof` or on the stable `code` (also available on the
 * class, e.g. `TokenExpiredError.code`), never on message text, which may change.
 *
 * The classes live in `@latchkey/protocol/jwt`, the token core the SDK and the IdP share, so
 * a token refused by either is refused with the same class and code.
 */
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
} from '@latchkey/protocol/jwt';
