import { createHash } from 'node:crypto';
import { publishedKeys, type KeySet } from './key-set.js';

/** The /jwks response, prepared once per key-set change so each request only copies bytes. */
export interface JwksDocument {
  body: Buffer;
  etag: string;
}

export function buildJwksDocument(set: KeySet): JwksDocument {
  // Only the public members are copied, field by field: a private member can never leak
  // even if a record carried one by mistake.
  const keys = publishedKeys(set).map(({ publicJwk: jwk }) => ({
    kty: jwk.kty,
    kid: jwk.kid,
    use: jwk.use,
    alg: jwk.alg,
    ...(jwk.crv !== undefined && { crv: jwk.crv }),
    ...(jwk.x !== undefined && { x: jwk.x }),
    ...(jwk.y !== undefined && { y: jwk.y }),
    ...(jwk.n !== undefined && { n: jwk.n }),
    ...(jwk.e !== undefined && { e: jwk.e }),
  }));
  const body = Buffer.from(JSON.stringify({ keys }));
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  return { body, etag };
}
