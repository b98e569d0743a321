import { KeyObject, sign as nodeSign } from 'node:crypto';
import {
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import type { SigningAlgorithm } from '@latchkey/protocol';
import { isLowS, withNegatedS } from '@latchkey/protocol/jwt';

/** Test keys and token builders. Tokens are signed with jose, or by hand for malformed ones. */

export interface TestKey {
  kid: string;
  alg: SigningAlgorithm;
  privateKey: CryptoKey;
  /** The same private key as a node KeyObject, for hand-built signatures. */
  privateKeyObject: KeyObject;
  publicJwk: JWK;
}

export async function createTestKey(alg: SigningAlgorithm, kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, privateKeyObject: KeyObject.from(privateKey), publicJwk };
}

export interface TestKeys {
  es256: TestKey;
  rs256: TestKey;
  eddsa: TestKey;
  /** Not published in the JWKS: signs forgeries. */
  rogue: TestKey;
}

export async function createTestKeys(): Promise<TestKeys> {
  const [es256, rs256, eddsa, rogue] = await Promise.all([
    createTestKey('ES256', 'es-1'),
    createTestKey('RS256', 'rs-1'),
    createTestKey('EdDSA', 'ed-1'),
    createTestKey('ES256', 'rogue'),
  ]);
  return { es256, rs256, eddsa, rogue };
}

export const b64 = (value: unknown): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

export interface SignOptions {
  kid?: string | undefined;
  typ?: string | undefined;
  header?: Record<string, unknown>;
}

/** A token signed by jose. `kid`/`typ` default to the key's kid and `at+jwt`; pass undefined to omit. */
export async function sign(
  key: TestKey,
  claims: JWTPayload,
  options: SignOptions = {},
): Promise<string> {
  const kid = 'kid' in options ? options.kid : key.kid;
  const typ = 'typ' in options ? options.typ : 'at+jwt';
  const token = await new SignJWT(claims)
    .setProtectedHeader({
      alg: key.alg,
      ...(kid ? { kid } : {}),
      ...(typ ? { typ } : {}),
      ...options.header,
    })
    .sign(key.privateKey);
  return key.alg === 'ES256' ? lowS(token) : token;
}

/**
 * The token with its ES256 signature in low-s form. jose leaves s as ECDSA produced it, in the
 * upper half for about every other token, and the verifier refuses those (ecdsa-low-s.ts).
 */
export function lowS(token: string): string {
  const dot = token.lastIndexOf('.');
  const signature = Buffer.from(token.slice(dot + 1), 'base64url');
  if (signature.length !== 64 || isLowS(signature)) return token;
  return `${token.slice(0, dot + 1)}${withNegatedS(signature).toString('base64url')}`;
}

/** The token with its ES256 signature's twin (r, n − s) in high-s form: same signer, other spelling. */
export function highS(token: string): string {
  const dot = token.lastIndexOf('.');
  const signature = Buffer.from(token.slice(dot + 1), 'base64url');
  const high = isLowS(signature) ? withNegatedS(signature) : signature;
  return `${token.slice(0, dot + 1)}${high.toString('base64url')}`;
}

/** A hand-built JWS over exactly the header and payload given, signed with node:crypto. */
export function signRaw(
  key: TestKey,
  header: Record<string, unknown>,
  payload: unknown,
  dsaEncoding: 'der' | 'ieee-p1363' = 'ieee-p1363',
): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const digest = key.alg === 'EdDSA' ? null : 'sha256';
  const signature = nodeSign(digest, Buffer.from(input), {
    key: key.privateKeyObject,
    dsaEncoding,
  });
  const token = `${input}.${signature.toString('base64url')}`;
  return key.alg === 'ES256' && dsaEncoding === 'ieee-p1363' ? lowS(token) : token;
}

/**
 * The claims a token carries, decoded independently of the verifier: what an accepted token's
 * verification must return, so a verifier returning other claims fails the test.
 */
export function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}
