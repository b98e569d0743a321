import { createCipheriv, createDecipheriv, randomBytes, type JsonWebKey } from 'node:crypto';

/** A private JWK sealed with AES-256-GCM under the key-encryption key (KEK). */
export interface EncryptedPrivateKey {
  /** Format version, so the scheme can change without guessing. */
  v: 1;
  iv: string;
  tag: string;
  data: string;
}

/** The stored key could not be opened: wrong KEY_ENCRYPTION_KEY, or the record was altered. */
export class KeyDecryptionError extends Error {
  readonly code = 'ERR_KEY_DECRYPTION';
  constructor(readonly kid: string) {
    super(`private key ${kid} cannot be decrypted with this KEY_ENCRYPTION_KEY`);
    this.name = 'KeyDecryptionError';
  }
}

// The kid is authenticated data: a sealed key moved under another kid fails to open, so a
// store writer cannot swap keys between records.
const aad = (kid: string) => Buffer.from(`latchkey:signing-key:${kid}`);

export function encryptPrivateKey(
  kek: Buffer,
  kid: string,
  privateJwk: object,
): EncryptedPrivateKey {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  cipher.setAAD(aad(kid));
  const data = Buffer.concat([cipher.update(JSON.stringify(privateJwk), 'utf8'), cipher.final()]);
  return {
    v: 1,
    iv: iv.toString('base64url'),
    tag: cipher.getAuthTag().toString('base64url'),
    data: data.toString('base64url'),
  };
}

export function decryptPrivateKey(
  kek: Buffer,
  kid: string,
  sealed: EncryptedPrivateKey,
): JsonWebKey {
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(sealed.iv, 'base64url'));
    decipher.setAAD(aad(kid));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64url'));
    const plain = Buffer.concat([
      decipher.update(Buffer.from(sealed.data, 'base64url')),
      decipher.final(),
    ]);
    return JSON.parse(plain.toString('utf8')) as JsonWebKey;
  } catch {
    throw new KeyDecryptionError(kid);
  }
}

/**
 * Any other secret kept at rest under the same KEK (a user's TOTP secret), sealed as the
 * private keys are. `context` names what it is and whose (`latchkey:totp:<user id>`): it is
 * authenticated data, so a sealed secret copied into another row fails to open.
 */
export function sealSecret(kek: Buffer, context: string, secret: string): EncryptedPrivateKey {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  cipher.setAAD(Buffer.from(context));
  const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return {
    v: 1,
    iv: iv.toString('base64url'),
    tag: cipher.getAuthTag().toString('base64url'),
    data: data.toString('base64url'),
  };
}

/** The secret sealed by `sealSecret` under `context`; null when it cannot be opened. */
export function openSecret(
  kek: Buffer,
  context: string,
  sealed: EncryptedPrivateKey,
): string | null {
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(sealed.iv, 'base64url'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64url'));
    const plain = Buffer.concat([
      decipher.update(Buffer.from(sealed.data, 'base64url')),
      decipher.final(),
    ]);
    return plain.toString('utf8');
  } catch {
    return null;
  }
}
