import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { dpopAccessTokenHash } from '@latchkey/protocol/jwt';

export interface DpopProver {
  /** The RFC 7638 thumbprint of the public key: what `cnf.jkt` must say. */
  jkt: string;
  publicJwk: JWK;
  privateJwk: JWK;
  /** A proof of `method` at `url` for `accessToken` at `iat`; `claims`/`header` add or override. */
  proof(options: {
    method?: string;
    url: string;
    iat: number;
    accessToken?: string;
    claims?: Record<string, unknown>;
    header?: Record<string, unknown>;
  }): Promise<string>;
}

/** A DPoP client key (RFC 9449) making proofs with jose, as a client library would. */
export async function dpopProver(alg: 'ES256' | 'EdDSA' | 'RS256' = 'ES256'): Promise<DpopProver> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return {
    jkt: await calculateJwkThumbprint(publicJwk),
    publicJwk,
    privateJwk: await exportJWK(privateKey),
    proof: (options) =>
      new SignJWT({
        jti: randomUUID(),
        htm: options.method ?? 'GET',
        htu: options.url,
        iat: options.iat,
        ...(options.accessToken !== undefined && { ath: dpopAccessTokenHash(options.accessToken) }),
        ...options.claims,
      })
        .setProtectedHeader({ typ: 'dpop+jwt', alg, jwk: publicJwk, ...options.header })
        .sign(privateKey),
  };
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A proof nobody signed: `alg` none, or HS256 with a symmetric key in the header. */
export function unsignedProof(alg: 'none' | 'HS256', claims: Record<string, unknown>): string {
  const jwk =
    alg === 'none' ? { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' } : { kty: 'oct', k: 'c2VjcmV0' };
  return `${b64({ typ: 'dpop+jwt', alg, jwk })}.${b64({ jti: randomUUID(), ...claims })}.${alg === 'none' ? '' : 'c2ln'}`;
}
