import { createPublicKey, type KeyObject } from 'node:crypto';
import { MIN_RSA_BITS } from '../limits.js';
import type { SigningAlgorithm } from '../tokens.js';

/**
 * A public key imported once from a JWK, bound to the single algorithm it may verify.
 * Binding at import time is what stops algorithm confusion: the hot path only compares
 * `key.alg === header.alg` and never lets the token pick how a key is used.
 */
export interface VerificationKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  /** Exact signature length in bytes; anything else (e.g. a DER ECDSA signature) fails early. */
  readonly signatureLength: number;
  /** The same in unpadded base64url characters. */
  readonly signatureChars: number;
  /** Prebuilt `crypto.verify` key argument, so a verify call allocates nothing for it. */
  readonly verifyKey: KeyObject | { key: KeyObject; dsaEncoding: 'ieee-p1363' };
}

/** The one algorithm each supported key type may be used with. */
function algorithmFor(jwk: Record<string, unknown>): SigningAlgorithm | undefined {
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  if (jwk.kty === 'RSA') return 'RS256';
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  return undefined;
}

/**
 * Imports one entry of a JWKS, or returns undefined when the entry is unusable for verifying
 * Latchkey tokens. Unusable entries are skipped, never fatal: one odd key must not take the
 * whole key set down.
 */
export function importVerificationKey(value: unknown): VerificationKey | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const jwk = value as Record<string, unknown>;
  if (typeof jwk.kid !== 'string' || jwk.kid === '') return undefined;
  // A private key in a public set means the IdP leaked it; refuse to use it at all.
  if ('d' in jwk) return undefined;
  if (jwk.use !== undefined && jwk.use !== 'sig') return undefined;
  if (jwk.key_ops !== undefined) {
    if (!Array.isArray(jwk.key_ops) || !jwk.key_ops.includes('verify')) return undefined;
  }
  const alg = algorithmFor(jwk);
  // Symmetric (`oct`) keys never get here: importing one would enable HS256 forgery.
  if (alg === undefined) return undefined;
  // RFC 7517 §4.4: a key that names its algorithm may only be used with that algorithm.
  if (jwk.alg !== undefined && jwk.alg !== alg) return undefined;

  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk as never, format: 'jwk' });
  } catch {
    return undefined;
  }
  return bindKey(jwk.kid, alg, key);
}

function bindKey(kid: string, alg: SigningAlgorithm, key: KeyObject): VerificationKey | undefined {
  const details = key.asymmetricKeyDetails;
  switch (alg) {
    case 'ES256':
      if (key.asymmetricKeyType !== 'ec' || details?.namedCurve !== 'prime256v1') return undefined;
      return bound(kid, alg, 64, { key, dsaEncoding: 'ieee-p1363' });
    case 'RS256': {
      // 'rsa' only: an 'rsa-pss' key would silently change the padding scheme.
      const bits = details?.modulusLength;
      if (key.asymmetricKeyType !== 'rsa' || bits === undefined || bits < MIN_RSA_BITS) {
        return undefined;
      }
      return bound(kid, alg, Math.ceil(bits / 8), key);
    }
    case 'EdDSA':
      if (key.asymmetricKeyType !== 'ed25519') return undefined;
      return bound(kid, alg, 64, key);
  }
}

function bound(
  kid: string,
  alg: SigningAlgorithm,
  signatureLength: number,
  verifyKey: VerificationKey['verifyKey'],
): VerificationKey {
  return {
    kid,
    alg,
    signatureLength,
    signatureChars: Math.ceil((signatureLength * 4) / 3),
    verifyKey,
  };
}
