import type { SigningAlgorithm } from '@latchkey/protocol';
import type { EncryptedPrivateKey } from './key-encryption.js';

/** The public half of a signing key, exactly as /jwks publishes it. */
export interface PublicJwk {
  kty: string;
  kid: string;
  alg: SigningAlgorithm;
  use: 'sig';
  crv?: string;
  x?: string;
  y?: string;
  n?: string;
  e?: string;
}

/**
 * One signing key. Its state follows from the timestamps (see `keyState`), so every IdP
 * instance reading the same record agrees on it without further coordination.
 */
export interface KeyRecord {
  kid: string;
  alg: SigningAlgorithm;
  /** Published in /jwks from this time on (state `pending` until activated). */
  createdAt: number;
  activatedAt: number | null;
  retiredAt: number | null;
  /** Revoked keys vanish from /jwks at once and never sign again. */
  revokedAt: number | null;
  publicJwk: PublicJwk;
  privateKey: EncryptedPrivateKey;
}

/** The whole key set, stored as one document so that every change to it is atomic. */
export interface KeySet {
  /** Increases by one with each write; lets instances notice a change cheaply. */
  version: number;
  keys: KeyRecord[];
}

export type KeyState = 'pending' | 'active' | 'retired' | 'revoked';

export function keyState(key: KeyRecord): KeyState {
  if (key.revokedAt !== null) return 'revoked';
  if (key.retiredAt !== null) return 'retired';
  if (key.activatedAt !== null) return 'active';
  return 'pending';
}

/** Keys a verifier must know: pending (about to sign), active, and retired (tokens still live). */
export function publishedKeys(set: KeySet): KeyRecord[] {
  return set.keys.filter((key) => keyState(key) !== 'revoked');
}

export function activeKey(set: KeySet, alg: SigningAlgorithm): KeyRecord | undefined {
  return set.keys.find((key) => key.alg === alg && keyState(key) === 'active');
}

export function pendingKey(set: KeySet, alg: SigningAlgorithm): KeyRecord | undefined {
  return set.keys.find((key) => key.alg === alg && keyState(key) === 'pending');
}
