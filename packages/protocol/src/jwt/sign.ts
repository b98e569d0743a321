import { sign, type KeyObject } from 'node:crypto';
import type { SigningAlgorithm } from '../tokens.js';
import { toLowS } from './ecdsa-low-s.js';

/** A private key bound to the one algorithm and `kid` it signs with. */
export interface SigningKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly privateKey: KeyObject;
}

/**
 * Compact JWS signing (RFC 7515 §7.1) on node:crypto directly, synchronously. jose's SignJWT
 * goes through WebCrypto, whose every signature is a job on libuv's thread pool; at the token
 * endpoint that hop cost more than the ES256 signature itself.
 *
 * The protected header is always `{alg, kid, typ}`, in that order, and is encoded once per key
 * and type: every token a key signs shares it (and the verifier's header cache hits).
 */
const headers = new WeakMap<SigningKey, Map<string, string>>();

function headerSegment(key: SigningKey, typ: string): string {
  let byType = headers.get(key);
  if (byType === undefined) headers.set(key, (byType = new Map<string, string>()));
  let segment = byType.get(typ);
  if (segment === undefined) {
    segment = Buffer.from(JSON.stringify({ alg: key.alg, kid: key.kid, typ })).toString(
      'base64url',
    );
    byType.set(typ, segment);
  }
  return segment;
}

export function signCompactJws(key: SigningKey, typ: string, payload: object): string {
  const input = `${headerSegment(key, typ)}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const data = Buffer.from(input);
  // RFC 7518 §3.4: ES256 signatures are raw r||s (IEEE P1363), not DER, and ours are low-s
  // (the verifier refuses the twin, see ecdsa-low-s.ts); RS256 is PKCS #1 v1.5, node's default
  // for RSA keys; Ed25519 takes no digest.
  const signature =
    key.alg === 'ES256'
      ? toLowS(sign('sha256', data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' }))
      : sign(key.alg === 'EdDSA' ? null : 'sha256', data, key.privateKey);
  return `${input}.${signature.toString('base64url')}`;
}
