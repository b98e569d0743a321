import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import type { LoadConfig } from './load-protocol.js';

/** A fresh DPoP proof per call: ES256 over a new jti and the current second. */
export function dpopProofs(dpop: NonNullable<LoadConfig['dpop']>): () => string {
  const key = createPrivateKey({ key: dpop.privateJwk, format: 'jwk' });
  const { kty, crv, x, y } = dpop.privateJwk;
  const header = Buffer.from(
    JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } }),
  ).toString('base64url');
  return () => {
    const claims = {
      jti: randomUUID(),
      htm: 'POST',
      htu: dpop.htu,
      iat: Math.floor(Date.now() / 1000),
    };
    const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
    return `${input}.${signature.toString('base64url')}`;
  };
}
