import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { dpopAccessTokenHash } from '@latchkey/protocol/jwt';

export interface DpopProver {
  /** The public key's RFC 7638 thumbprint: what `cnf.jkt` must say. */
  jkt: string;
  publicJwk: JWK;
  privateJwk: JWK;
  /** A proof for `method` at `url`; `claims` and `header` override or add (bad proofs). */
  proof(
    method: string,
    url: string,
    options?: {
      accessToken?: string;
      claims?: Record<string, unknown>;
      header?: Record<string, unknown>;
    },
  ): Promise<string>;
}

/** A DPoP client key (RFC 9449) making proofs with jose, as a real client library would. */
export async function dpopProver(alg: 'ES256' | 'EdDSA' | 'RS256' = 'ES256'): Promise<DpopProver> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const privateJwk = await exportJWK(privateKey);
  return {
    jkt: await calculateJwkThumbprint(publicJwk),
    publicJwk,
    privateJwk,
    proof: (method, url, options = {}) =>
      new SignJWT({
        jti: randomUUID(),
        htm: method,
        htu: url,
        iat: Math.floor(Date.now() / 1000),
        ...(options.accessToken !== undefined && { ath: dpopAccessTokenHash(options.accessToken) }),
        ...options.claims,
      })
        .setProtectedHeader({ typ: 'dpop+jwt', alg, jwk: publicJwk, ...options.header })
        .sign(privateKey),
  };
}
