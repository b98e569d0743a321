import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signCompactJws, type SigningKey } from '@latchkey/protocol/jwt';

export type Algorithm = 'ES256' | 'RS256';

/**
 * An issuer for the verification cases: one ES256 and one RS256 key, their JWKS served on
 * loopback (so every verifier fetches and caches it as in production), and access tokens
 * shaped like the IdP's (RFC 9068: `typ: at+jwt`, `kid`, the same claims), signed with the
 * IdP's own signer (node:crypto directly, low-s ES256) so that thousands of distinct tokens
 * are cheap to make and every verifier meets what the IdP really issues.
 */
export interface LocalIssuer {
  issuer: string;
  audience: string;
  jwksUri: string;
  keys: Record<Algorithm, { kid: string; publicKey: KeyObject }>;
  /** A fresh token: its own `jti` and `sid`, so no two are alike. */
  token(alg: Algorithm, ttlSec?: number): string;
  close(): Promise<void>;
}

export const AUDIENCE = 'http://wiki.localhost:3002/api';

export async function startLocalIssuer(): Promise<LocalIssuer> {
  const es = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const rs = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keys = {
    ES256: { kid: 'bench-es256', ...es },
    RS256: { kid: 'bench-rs256', ...rs },
  };
  const body = JSON.stringify({
    keys: (['ES256', 'RS256'] as const).map((alg) => ({
      ...keys[alg].publicKey.export({ format: 'jwk' }),
      kid: keys[alg].kid,
      alg,
      use: 'sig',
    })),
  });
  const server: Server = createServer((request, response) => {
    response.writeHead(200, {
      'content-type': 'application/jwk-set+json',
      'cache-control': 'public, max-age=300',
    });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = 'http://idp.localhost:4000';
  const signers: Record<Algorithm, SigningKey> = {
    ES256: { alg: 'ES256', kid: keys.ES256.kid, privateKey: keys.ES256.privateKey },
    RS256: { alg: 'RS256', kid: keys.RS256.kid, privateKey: keys.RS256.privateKey },
  };

  return {
    issuer,
    audience: AUDIENCE,
    jwksUri: `${base}/jwks`,
    keys: {
      ES256: { kid: keys.ES256.kid, publicKey: keys.ES256.publicKey },
      RS256: { kid: keys.RS256.kid, publicKey: keys.RS256.publicKey },
    },
    token(alg, ttlSec = 600) {
      const iat = Math.floor(Date.now() / 1000);
      return signCompactJws(signers[alg], 'at+jwt', {
        iss: issuer,
        sub: 'user-42',
        aud: AUDIENCE,
        client_id: 'shop',
        iat,
        exp: iat + ttlSec,
        jti: randomBytes(16).toString('base64url'),
        scope: 'openid profile wiki:read',
        sid: randomBytes(32).toString('base64url'),
        auth_time: iat,
        preferred_username: 'alice',
        roles: ['admin'],
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
