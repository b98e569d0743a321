import { generateKeyPairSync, randomBytes } from 'node:crypto';

/** oidc-provider's signing keys (ES256 for access tokens, RS256 for ID tokens) and cookie key. */
export interface PeerKeys {
  jwks: { keys: object[] };
  cookies: string[];
}

const privateJwk = (alg: 'ES256' | 'RS256') => {
  const { privateKey } =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), alg, use: 'sig', kid: `peer-${alg}` };
};

export function makePeerKeys(): PeerKeys {
  return {
    jwks: { keys: [privateJwk('ES256'), privateJwk('RS256')] },
    cookies: [randomBytes(32).toString('base64url')],
  };
}
