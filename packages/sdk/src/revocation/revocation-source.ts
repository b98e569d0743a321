/**
 * What a verifier asks about revocation. Kept free of any Redis import so that the core entry
 * stays dependency-free; `@latchkey/sdk/redis` provides the Redis-backed implementation.
 */

/** The claims revocation looks at; verified access and ID token claims both fit. */
export interface RevocationCheckClaims {
  sub: string;
  sid?: string | undefined;
  /** Issued-at, epoch seconds. */
  iat: number;
}

export interface RevocationSource {
  /**
   * Called by the verifier after the signature and every claim check passed, on every
   * verification (a token accepted a moment ago may be revoked now). Must answer from memory:
   * it is on the hot path, so it is synchronous and must not do I/O.
   *
   * Returns when the token is not revoked. Throws `TokenRevokedError` (401) when it is, or
   * `RevocationStaleError` (503) when the source cannot vouch for its state.
   */
  check(claims: RevocationCheckClaims): void;
  /**
   * Called with a token's `kid` before its key is looked up, so that a revoked (compromised)
   * signing key vouches for nothing even while a key-set cache still holds it. Synchronous,
   * from memory, like `check`. Throws `KeyRevokedError` (401) when the key is revoked; returns
   * otherwise (staleness is `check`'s to report). Optional: sources without it revoke no keys.
   */
  checkKey?(kid: string): void;
}
