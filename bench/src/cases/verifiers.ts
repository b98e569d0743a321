import { verify } from 'node:crypto';
import { createVerifier, type Verifier } from '@latchkey/sdk';
import type { RevocationSource, SdkMetrics } from '@latchkey/sdk';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import jwt from 'jsonwebtoken';
import jwksRsa from 'jwks-rsa';
import type { Algorithm, LocalIssuer } from '../tokens/local-issuer.js';

/**
 * The four ways of checking one access token that cases 1 and 2 compare, each set up as its
 * documentation shows and warm (key set fetched, key imported) before it is timed.
 */

/** A Latchkey verifier with the Redis revocation source, warmed with a token of its own. */
export async function warmSdkVerifier(
  issuer: LocalIssuer,
  alg: Algorithm,
  revocation: RevocationSource,
  metrics?: SdkMetrics,
): Promise<Verifier> {
  const verifier = createVerifier({
    issuer: issuer.issuer,
    audience: issuer.audience,
    jwksUri: issuer.jwksUri,
    algorithms: [alg],
    revocation,
    ...(metrics && { metrics }),
  });
  await verifier.verifyAccessToken(issuer.token(alg));
  return verifier;
}

export function joseVerifier(
  issuer: LocalIssuer,
  alg: Algorithm,
): (token: string) => Promise<unknown> {
  const jwks = createRemoteJWKSet(new URL(issuer.jwksUri));
  const options = {
    issuer: issuer.issuer,
    audience: issuer.audience,
    typ: 'at+jwt',
    algorithms: [alg],
  };
  return async (token) => (await jwtVerify(token, jwks, options)).payload;
}

export function jsonwebtokenVerifier(
  issuer: LocalIssuer,
  alg: Algorithm,
): (token: string) => Promise<unknown> {
  const client = jwksRsa({ jwksUri: issuer.jwksUri, cache: true });
  // The callback form of jwt.verify, with jwks-rsa's key lookup: the pairing its README shows.
  const getKey: jwt.GetPublicKeyOrSecret = (header, callback) => {
    client.getSigningKey(header.kid, (error, key) => callback(error, key?.getPublicKey()));
  };
  const options: jwt.VerifyOptions = {
    issuer: issuer.issuer,
    audience: issuer.audience,
    algorithms: [alg],
  };
  return (token) =>
    new Promise((resolve, reject) => {
      jwt.verify(token, getKey, options, (error, payload) =>
        error ? reject(error) : resolve(payload),
      );
    });
}

/**
 * The floor under every JWS library: `crypto.verify` alone, on the signing input and signature
 * already decoded, with the key already imported. Nothing is parsed or checked.
 */
export function rawVerifier(issuer: LocalIssuer, alg: Algorithm): (token: string) => () => void {
  const key = verifyKey(issuer, alg);
  return (token) => {
    const dot = token.lastIndexOf('.');
    const data = Buffer.from(token.slice(0, dot));
    const signature = Buffer.from(token.slice(dot + 1), 'base64url');
    return () => {
      if (!verify('sha256', data, key, signature)) throw new Error('raw verify failed');
    };
  };
}

/**
 * The floor of verifying a token never seen: what any verifier must do to it, and only that.
 * Find the dots, decode the signature, `crypto.verify` the signing input, decode and parse the
 * payload. No header check, no claim check, no cache: the SDK's ratio to this is what its
 * checks cost, where its ratio to `rawVerifier` (input decoded beforehand) counts the decoding
 * and parsing against it too.
 */
export function floorVerifier(issuer: LocalIssuer, alg: Algorithm): (token: string) => unknown {
  const key = verifyKey(issuer, alg);
  return (token) => {
    const first = token.indexOf('.');
    const last = token.lastIndexOf('.');
    const signature = Buffer.from(token.slice(last + 1), 'base64url');
    if (!verify('sha256', Buffer.from(token.slice(0, last)), key, signature)) {
      throw new Error('floor verify failed');
    }
    return JSON.parse(Buffer.from(token.slice(first + 1, last), 'base64url').toString()) as unknown;
  };
}

/** The issuer's public key for `alg` as `crypto.verify` takes it (ES256 signatures are r‖s). */
function verifyKey(issuer: LocalIssuer, alg: Algorithm) {
  return alg === 'ES256'
    ? { key: issuer.keys.ES256.publicKey, dsaEncoding: 'ieee-p1363' as const }
    : issuer.keys.RS256.publicKey;
}
