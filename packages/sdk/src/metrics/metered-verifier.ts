import { LatchkeyError } from '../errors.js';
import type { Verifier } from '../verifier.js';
import type { SdkMetrics, VerifiedTokenKind } from './sdk-metrics.js';

/**
 * The verifier with every outcome counted. A decorator, built only when the `metrics` option
 * is given: without it `createVerifier` returns the bare verifier, so the hot path pays
 * nothing, not even a branch.
 */
export function meteredVerifier(verifier: Verifier, metrics: SdkMetrics): Verifier {
  function counted<A extends unknown[], R>(
    token: VerifiedTokenKind,
    verify: (...args: A) => Promise<R>,
  ): (...args: A) => Promise<R> {
    return async (...args) => {
      let claims: R;
      try {
        claims = await verify(...args);
      } catch (error) {
        metrics.verification(token, outcomeOf(error));
        throw error;
      }
      metrics.verification(token, 'valid');
      return claims;
    };
  }
  return {
    verifyAccessToken: counted('access', verifier.verifyAccessToken.bind(verifier)),
    verifyIdToken: counted('id', verifier.verifyIdToken.bind(verifier)),
    verifyLogoutToken: counted('logout', verifier.verifyLogoutToken.bind(verifier)),
  };
}

/** The stable code of a Latchkey error; anything else (a caller's TypeError) is `other`. */
function outcomeOf(error: unknown): string {
  return error instanceof LatchkeyError ? error.code : 'other';
}
