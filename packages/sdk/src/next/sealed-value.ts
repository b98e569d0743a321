import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Authenticated encryption (AES-256-GCM) for values the browser keeps for us: the session and
 * the login transaction. The browser can neither read the tokens inside nor alter them, and the
 * purpose is bound as additional data so that one kind of cookie can never be replayed as
 * another. Format: base64url(iv ‖ ciphertext ‖ tag).
 */

const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface Sealer {
  seal(purpose: string, value: unknown): string;
  /** The value, or undefined for anything not sealed by this key for this purpose. */
  unseal(purpose: string, sealed: string | undefined): unknown;
}

export function createSealer(key: Buffer): Sealer {
  if (key.length !== 32) throw new TypeError('the sealing key must be 32 bytes');
  return {
    seal(purpose, value) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(purpose));
      const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
      return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
    },

    unseal(purpose, sealed) {
      if (typeof sealed !== 'string' || sealed.length > 8192 || !/^[\w-]+$/.test(sealed)) {
        return undefined;
      }
      const bytes = Buffer.from(sealed, 'base64url');
      if (bytes.length <= IV_BYTES + TAG_BYTES) return undefined;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES), {
          authTagLength: TAG_BYTES,
        });
        decipher.setAAD(Buffer.from(purpose));
        decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
        const plain = Buffer.concat([
          decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
          decipher.final(),
        ]);
        return JSON.parse(plain.toString('utf8')) as unknown;
      } catch {
        // A forged, truncated or old-key cookie is simply no cookie.
        return undefined;
      }
    },
  };
}
