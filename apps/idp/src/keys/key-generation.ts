import { generateKeyPair as generateKeyPairCallback, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { calculateJwkThumbprint } from 'jose';
import type { SigningAlgorithm } from '@latchkey/protocol';
import { encryptPrivateKey } from './key-encryption.js';
import type { KeyRecord, PublicJwk } from './key-set.js';

const generateKeyPair = promisify(generateKeyPairCallback);

/** Makes a fresh key pair for `alg`, sealed under the KEK, as a pending key record. */
export type KeyFactory = (alg: SigningAlgorithm, now: number) => Promise<KeyRecord>;

export function createKeyFactory(kek: Buffer): KeyFactory {
  return async (alg, now) => {
    const { publicKey, privateKey } = await generate(alg);
    const publicParts = publicKey.export({ format: 'jwk' });
    // RFC 7638 thumbprint as kid: unique per key and derivable by anyone holding the key.
    const kid = await calculateJwkThumbprint(publicParts);
    const publicJwk: PublicJwk = {
      kty: publicParts.kty as string,
      kid,
      alg,
      use: 'sig',
      ...pick(publicParts, ['crv', 'x', 'y', 'n', 'e']),
    };
    return {
      kid,
      alg,
      createdAt: now,
      activatedAt: null,
      retiredAt: null,
      revokedAt: null,
      publicJwk,
      privateKey: encryptPrivateKey(kek, kid, privateKey.export({ format: 'jwk' })),
    };
  };
}

function generate(alg: SigningAlgorithm): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  switch (alg) {
    case 'ES256':
      return generateKeyPair('ec', { namedCurve: 'P-256' });
    case 'RS256':
      return generateKeyPair('rsa', { modulusLength: 2048 });
    case 'EdDSA':
      return generateKeyPair('ed25519');
  }
}

function pick(source: Record<string, unknown>, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = source[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}
