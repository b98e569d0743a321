export {
  SIGNING_ALGORITHMS,
  ACCESS_TOKEN_TYP,
  isSigningAlgorithm,
  type SigningAlgorithm,
  type AccessTokenClaims,
  type IdTokenClaims,
} from './tokens.js';
export {
  LOGOUT_TOKEN_TYP,
  BACKCHANNEL_LOGOUT_EVENT,
  DEFAULT_LOGOUT_TOKEN_MAX_LIFETIME_SEC,
  type LogoutTokenClaims,
} from './logout-token.js';
export {
  STORE_PREFIX,
  storeKeys,
  channels,
  encodeKeySetChangedNotice,
  decodeKeySetChangedNotice,
  type KeySetChangedNotice,
} from './store-keys.js';
export { isLoopbackHost } from './loopback.js';
export {
  parseRedisUrl,
  RedisUrlError,
  REDIS_URL_FORMS,
  type RedisAddress,
  type RedisTarget,
} from './redis-url.js';
export {
  revocationKeys,
  encodeRevocationMember,
  decodeRevocationMember,
  encodeRevocationNotice,
  decodeRevocationNotice,
  readRevocationNotice,
  encodeRevocationReloadNotice,
  isRevocationReloadNotice,
  encodeRevocationSnapshot,
  readRevocationSnapshot,
  revokes,
  notBeforeFor,
  type Revocation,
  type SessionRevocation,
  type SubjectRevocation,
  type KeyRevocation,
  type RevocationNotice,
  type RevocationSnapshot,
} from './revocation.js';
export {
  STORE_LAYOUT_VERSION,
  storeLayoutKey,
  encodeStoreLayout,
  decodeStoreLayout,
  isCompatibleStoreLayout,
} from './store-layout.js';
export { accessTokenHash } from './token-hash.js';
export {
  MAX_TOKEN_LENGTH,
  DEFAULT_ALGORITHMS,
  DEFAULT_CLOCK_TOLERANCE_SEC,
  ISSUER_CLOCK_TOLERANCE_SEC,
  MAX_CLOCK_TOLERANCE_SEC,
  MIN_RSA_BITS,
} from './limits.js';
export {
  SECEVENT_TYP,
  SECEVENT_MEDIA_TYPE,
  SSF_DELIVERY_PUSH,
  SSF_DELIVERY_POLL,
  SSF_MANAGE_SCOPE,
  ssfAudience,
  CAEP_SESSION_REVOKED,
  CAEP_CREDENTIAL_CHANGE,
  SSF_VERIFICATION,
  SSF_EVENTS_SUPPORTED,
  signalRevocation,
  type IssSubSubject,
  type OpaqueSubject,
  type ComplexSubject,
  type SubjectId,
  type CaepCredentialType,
  type CaepChangeType,
  type SecurityEventClaims,
  type SignalRevocation,
} from './shared-signals.js';
