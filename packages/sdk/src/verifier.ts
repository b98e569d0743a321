import { createHash } from 'node:crypto';
import type { AccessTokenClaims, IdTokenClaims, LogoutTokenClaims } from '@latchkey/protocol';
import {
  checkAccessTokenClaims,
  checkDpopBinding,
  checkDpopProof,
  DpopProofReplayedError,
  checkAccessTokenHash,
  checkIdTokenClaims,
  checkLogoutTokenClaims,
  createJwsParser,
  decodeJwsPayload,
  isAccessTokenType,
  isIdTokenType,
  isLogoutTokenType,
  isWithinValidity,
  TokenAlgorithmError,
  TokenReplayedError,
  TokenTypeError,
  VerificationUnavailableError,
  verifyJwsSignature,
  type ClaimContext,
  type ParsedJws,
  type VerificationKey,
} from '@latchkey/protocol/jwt';
import { createKeySource } from './lib/key-source.js';
import { createVerifiedTokenCache, deepFreeze } from './lib/verified-token-cache.js';
import { verificationOutcome } from './metrics/sdk-metrics.js';
import { resolveVerifierOptions, type VerifierOptions } from './verifier-options.js';

export interface IdTokenVerifyOptions {
  /** The nonce sent in the authentication request; when given, the token must carry it. */
  nonce?: string;
  /** The `max_age` sent, in seconds; when given, `auth_time` is required and must be recent. */
  maxAgeSec?: number;
  /**
   * The access token issued with this ID token; when given, `at_hash` is required and must
   * match it (OIDC Core §3.1.3.8), so a swapped access token is noticed.
   */
  accessToken?: string;
}

/** The request a DPoP-bound access token came with (RFC 9449 §7.1). */
export interface DpopRequest {
  /** The `DPoP` header: its value, or every value when the header came more than once. */
  proof: string | readonly string[] | null | undefined;
  /** The request's method, e.g. `GET`. */
  method: string;
  /**
   * The request's URL as the client addressed it (behind a proxy, the public one); query and
   * fragment are ignored (§4.3).
   */
  url: string | URL;
}

export interface AccessTokenVerifyOptions {
  /**
   * The DPoP proof and request, when the token came with the `DPoP` scheme: the proof must be
   * valid for this request and token (`ath`), signed by the key of the token's `cnf.jkt`, and
   * new (its `jti` is remembered, see the `dpop` option). Without it, a DPoP-bound token is
   * refused (`DpopBindingError`), so a stolen bound token cannot be used as a bearer token.
   */
  dpop?: DpopRequest;
}

export interface Verifier {
  /**
   * Verifies a Latchkey access token (RFC 9068) and returns its claims, frozen. Rejects with a
   * `TokenInvalidError` subclass (answer 401) or a `VerificationUnavailableError`
   * subclass (answer 503). A token verified before (see `tokenCacheSize`) skips the signature
   * check, but its expiry, its key and its revocation are checked again on every call.
   */
  verifyAccessToken(token: string, options?: AccessTokenVerifyOptions): Promise<AccessTokenClaims>;
  /** Verifies an OpenID Connect ID token (OIDC Core §3.1.3.7). Needs the `clientId` option. */
  verifyIdToken(token: string, options?: IdTokenVerifyOptions): Promise<IdTokenClaims>;
  /**
   * Verifies a Back-Channel Logout token with every rule of its §2.6: the ID-token keys and
   * algorithms, `typ` `logout+jwt`, `iss`, `aud` (the `clientId` option, required), `iat`,
   * a short `exp`, `jti`, the back-channel logout event, `sub` and/or `sid`, no `nonce`; and
   * a `jti` accepted before is refused (`TokenReplayedError`) until the token expires. Rejects
   * with a `TokenInvalidError` subclass (answer 400) or a `VerificationUnavailableError`
   * subclass (answer 503: keys or replay cache unreachable).
   */
  verifyLogoutToken(token: string): Promise<LogoutTokenClaims>;
}

/** Creates a verifier for one issuer. Throws TypeError on bad options. */
export function createVerifier(options: VerifierOptions): Verifier {
  const resolved = resolveVerifierOptions(options);
  const { algorithms, audiences, clientId, issuer, now, revocation, toleranceSec } = resolved;
  const { logoutToken, dpop } = resolved;
  const getKey = createKeySource(issuer, resolved.jwksUri, resolved.jwks, revocation);
  const parser = createJwsParser(algorithms);
  const verified =
    resolved.tokenCacheSize > 0 ? createVerifiedTokenCache(resolved.tokenCacheSize) : undefined;

  const claimContext = (): ClaimContext => ({
    issuer,
    nowSec: Math.floor(now() / 1000),
    toleranceSec,
  });

  // Everything below is synchronous except a key-set fetch: with a cached key, one verification
  // is one promise plus `crypto.verify`, which is what keeps it near the raw verify rate.
  function parseTyped(token: unknown, typeAllowed: (typ: unknown) => boolean): ParsedJws {
    const jws = parser.parse(token);
    // RFC 8725 §3.11: explicit typing keeps one kind of token from being accepted as another.
    if (!typeAllowed(jws.header.typ)) throw new TokenTypeError('typ header is not accepted here');
    return jws;
  }

  function signedClaims(jws: ParsedJws, key: VerificationKey): Record<string, unknown> {
    verifyJwsSignature(jws, key);
    parser.remember(jws);
    return decodeJwsPayload(jws);
  }

  /**
   * RFC 9449 §7.1 at a resource, after the token itself passed: the proof, then its key against
   * `cnf.jkt`, and only then its `jti`, so that only holders of a genuine bound token can
   * write to the replay cache.
   */
  async function checkProof(
    token: string,
    claims: AccessTokenClaims,
    request: DpopRequest,
  ): Promise<void> {
    const proof = checkDpopProof({
      proof: request.proof ?? undefined,
      method: request.method,
      url: String(request.url),
      now: now(),
      windowSec: dpop.proofWindowSec,
      accessToken: token,
    });
    checkDpopBinding(claims, proof.jkt);
    let fresh: boolean;
    try {
      fresh = await dpop.replayCache.remember(
        `dpop:${proof.jkt}:${proof.jti}`,
        now() + 2 * dpop.proofWindowSec * 1000,
      );
    } catch (cause) {
      throw new VerificationUnavailableError('the DPoP replay cache could not answer', { cause });
    }
    if (fresh !== true) throw new DpopProofReplayedError('this DPoP proof was already used');
  }

  // Counting is inline, not a decorator: a wrapper's extra promise cost ~30% of a cached
  // verification (bench case 2); without the option it is one null check per call.
  const { metrics } = resolved;

  return {
    async verifyAccessToken(token, options) {
      try {
        const seen = verified !== undefined && typeof token === 'string' && verified.get(token);
        if (seen) {
          // The same string passed every check before; what can have changed since is time, the
          // key set (a key the IdP withdrew, e.g. compromised, must stop vouching for its
          // tokens) and revocation. Anything else than "still fine" takes the full path, so the
          // answer, and the error, are exactly those of a first verification.
          const found = getKey(seen.kid);
          const key = found instanceof Promise ? await found : found;
          if (key === seen.key && isWithinValidity(seen.claims, claimContext())) {
            revocation?.check(seen.claims);
            if (options?.dpop !== undefined) await checkProof(token, seen.claims, options.dpop);
            else checkDpopBinding(seen.claims, undefined);
            metrics?.verification('access', 'valid');
            return seen.claims;
          }
          verified.delete(token);
        }
        const jws = parseTyped(token, isAccessTokenType);
        const found = getKey(jws.kid);
        const key = found instanceof Promise ? await found : found;
        const claims = signedClaims(jws, key);
        const checked = checkAccessTokenClaims(claims, claimContext(), audiences);
        // On every call, not once per token: a token accepted a moment ago may be revoked now.
        // Last, so that only a genuine token can learn whether it was revoked.
        revocation?.check(checked);
        verified?.add(token, { claims: deepFreeze(checked), kid: jws.kid, key });
        if (options?.dpop !== undefined) await checkProof(token, checked, options.dpop);
        else checkDpopBinding(checked, undefined);
        metrics?.verification('access', 'valid');
        return checked;
      } catch (error) {
        metrics?.verification('access', verificationOutcome(error));
        throw error;
      }
    },

    async verifyIdToken(token, idOptions = {}) {
      try {
        if (clientId === undefined) throw new TypeError('verifyIdToken needs the clientId option');
        const { nonce, maxAgeSec, accessToken } = idOptions;
        if (nonce !== undefined && (typeof nonce !== 'string' || nonce === '')) {
          throw new TypeError('nonce must be a non-empty string');
        }
        if (
          maxAgeSec !== undefined &&
          (typeof maxAgeSec !== 'number' || !Number.isFinite(maxAgeSec) || maxAgeSec < 0)
        ) {
          throw new TypeError('maxAgeSec must be a finite number ≥ 0');
        }
        if (accessToken !== undefined && (typeof accessToken !== 'string' || accessToken === '')) {
          throw new TypeError('accessToken must be a non-empty string');
        }
        const jws = parseTyped(token, isIdTokenType);
        const found = getKey(jws.kid);
        const claims = signedClaims(jws, found instanceof Promise ? await found : found);
        const checked = checkIdTokenClaims(claims, claimContext(), { clientId, nonce, maxAgeSec });
        if (accessToken !== undefined) checkAccessTokenHash(checked, jws.alg, accessToken);
        revocation?.check(checked);
        metrics?.verification('id', 'valid');
        return checked;
      } catch (error) {
        metrics?.verification('id', verificationOutcome(error));
        throw error;
      }
    },

    async verifyLogoutToken(token) {
      try {
        if (clientId === undefined) {
          throw new TypeError('verifyLogoutToken needs the clientId option');
        }
        const jws = parseTyped(token, (typ) =>
          isLogoutTokenType(typ, !logoutToken.requireExplicitType),
        );
        // §2.6 step 3: the alg of this client's ID tokens, not any the verifier knows: an
        // access-token key (ES256) must not vouch for a logout.
        if (!logoutToken.algorithms.has(jws.alg)) {
          throw new TokenAlgorithmError('alg is not an algorithm of this client’s ID tokens');
        }
        const found = getKey(jws.kid);
        const claims = signedClaims(jws, found instanceof Promise ? await found : found);
        const checked = checkLogoutTokenClaims(claims, claimContext(), {
          clientId,
          maxLifetimeSec: logoutToken.maxLifetimeSec,
        });
        // §2.6 step 8, last: only a token that passed every other check may use up its jti.
        // Kept until the token is refused as expired anyway; hashed, so the cache holds no token
        // content and one shared cache serves several issuers.
        const key = createHash('sha256')
          .update(issuer)
          .update('\0')
          .update(checked.jti)
          .digest('base64url');
        let fresh: boolean;
        try {
          fresh = await logoutToken.replayCache.remember(key, (checked.exp + toleranceSec) * 1000);
        } catch (cause) {
          // A cache that cannot answer must not let a replay in, nor turn a good token away.
          if (cause instanceof VerificationUnavailableError) throw cause;
          throw new VerificationUnavailableError('the replay cache could not answer', { cause });
        }
        if (fresh !== true) throw new TokenReplayedError('this logout token was already received');
        metrics?.verification('logout', 'valid');
        return checked;
      } catch (error) {
        metrics?.verification('logout', verificationOutcome(error));
        throw error;
      }
    },
  };
}
