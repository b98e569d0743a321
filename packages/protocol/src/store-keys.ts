/**
 * Names of the records and channels Latchkey keeps in its store (Redis). Writers and
 * readers import them from here so that a renamed key cannot silently break the other side.
 */

export const STORE_PREFIX = 'latchkey';

/**
 * Every key Latchkey writes, in one place. Only the key set and the revocations (see
 * revocation.ts) are read outside the IdP; the rest are listed here so that an operator
 * can see, in one file, everything Latchkey keeps in Redis. Secrets (codes, refresh tokens)
 * appear only as digests.
 */
export const storeKeys = {
  /**
   * A copy of the whole signing-key set, one JSON document (the keys themselves live in the
   * IdP's database), replaced atomically and only by a newer version (compare-and-set).
   */
  keySet: `${STORE_PREFIX}:keys`,
  /** A user record (JSON), by user id. */
  user: (id: string) => `${STORE_PREFIX}:user:${id}`,
  /** Username → user id. */
  username: (name: string) => `${STORE_PREFIX}:username:${name}`,
  /** An IdP (SSO) session (JSON), by `sid`; expires at its idle or absolute limit. */
  session: (sid: string) => `${STORE_PREFIX}:session:${sid}`,
  /**
   * Expiring set of every live `sid`, each kept until its session's idle or absolute limit:
   * the active-sessions gauge counts it (ZCOUNT) without walking the keyspace.
   */
  liveSessions: `${STORE_PREFIX}:live-sessions`,
  /** Expiring set of the `sid`s of one user. */
  userSessions: (sub: string) => `${STORE_PREFIX}:user-sessions:${sub}`,
  /** Expiring set of the client ids a session issued codes to (the account page's apps). */
  sessionClients: (sid: string) => `${STORE_PREFIX}:session-clients:${sid}`,
  /** An authorization request waiting for the login form, by its random id. */
  pendingAuthorization: (id: string) => `${STORE_PREFIX}:authz:${id}`,
  /**
   * A login waiting for its second factor (the password was right), by its random id;
   * expires within minutes.
   */
  secondFactorStep: (id: string) => `${STORE_PREFIX}:mfa-step:${id}`,
  /** An authorization code, by the SHA-256 digest of the code. */
  authorizationCode: (digest: string) => `${STORE_PREFIX}:code:${digest}`,
  /**
   * An RFC 9126 pushed authorization request (its parameters and client), by the SHA-256
   * digest of the random part of its `request_uri`; single use, 60 s.
   */
  pushedAuthorizationRequest: (digest: string) => `${STORE_PREFIX}:par:${digest}`,
  /** An RFC 8628 device authorization, by the SHA-256 digest of its device code. */
  deviceCode: (digest: string) => `${STORE_PREFIX}:device:${digest}`,
  /** The device code digest a user code (normalised: 8 letters, no dash) stands for. */
  userCode: (code: string) => `${STORE_PREFIX}:user-code:${code}`,
  /** A refresh-token family (one per code redemption), by family id. */
  refreshFamily: (id: string) => `${STORE_PREFIX}:refresh:${id}`,
  /**
   * Expiring set of the refresh-token family ids one user holds for one client, each kept
   * until its family expires: removing an app's access (the account page) ends them all.
   */
  userClientFamilies: (sub: string, clientId: string) =>
    `${STORE_PREFIX}:user-client-refresh:${sub}:${clientId}`,
  /** A WebAuthn challenge (passkeys), single use, by the SHA-256 digest of its handle. */
  webauthnChallenge: (digest: string) => `${STORE_PREFIX}:webauthn:${digest}`,
  /**
   * A DPoP proof seen (RFC 9449 §11.1), by the SHA-256 digest of its key thumbprint and `jti`;
   * kept for the proof window so that the same proof is refused a second time.
   */
  dpopProof: (digest: string) => `${STORE_PREFIX}:dpop-jti:${digest}`,
  /** A fixed-window counter for rate limits and failed-login throttling. */
  counter: (scope: string, subject: string) => `${STORE_PREFIX}:count:${scope}:${subject}`,
} as const;

export const channels = {
  /** Published after every change of the key set; the message is a `KeySetChangedNotice`. */
  keySetChanged: `${STORE_PREFIX}:keys:changed`,
  /**
   * Published after every write of a user through the IdP; the message is the user's id.
   * Every IdP process drops its cached read of that user (users/user-read-cache.ts).
   */
  usersChanged: `${STORE_PREFIX}:users:changed`,
} as const;

/** Tells other IdP instances to reload the key set. Carries no key material. */
export interface KeySetChangedNotice {
  version: number;
  reason: 'created' | 'rotated' | 'revoked' | 'pruned';
}

export function encodeKeySetChangedNotice(notice: KeySetChangedNotice): string {
  return JSON.stringify(notice);
}

/** Returns null for anything that is not a well-formed notice (channels are shared). */
export function decodeKeySetChangedNotice(message: string): KeySetChangedNotice | null {
  try {
    const value: unknown = JSON.parse(message);
    if (typeof value !== 'object' || value === null) return null;
    const { version, reason } = value as Record<string, unknown>;
    if (typeof version !== 'number' || !Number.isSafeInteger(version)) return null;
    if (reason !== 'created' && reason !== 'rotated' && reason !== 'revoked' && reason !== 'pruned')
      return null;
    return { version, reason };
  } catch {
    return null;
  }
}
