import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptPrivateKey, encryptPrivateKey, KeyDecryptionError } from './key-encryption.js';

const kek = randomBytes(32);
const jwk = { kty: 'EC', crv: 'P-256', d: 'secret-part', x: 'x', y: 'y' };

describe('private keys at rest', () => {
  it('round-trips under the same KEK and kid', () => {
    expect(decryptPrivateKey(kek, 'kid-1', encryptPrivateKey(kek, 'kid-1', jwk))).toEqual(jwk);
  });

  it('stores no readable key material', () => {
    const sealed = JSON.stringify(encryptPrivateKey(kek, 'kid-1', jwk));
    expect(sealed).not.toContain('secret-part');
    expect(sealed).not.toContain('P-256');
  });

  it('cannot be opened without the KEK', () => {
    const sealed = encryptPrivateKey(kek, 'kid-1', jwk);
    expect(() => decryptPrivateKey(randomBytes(32), 'kid-1', sealed)).toThrow(KeyDecryptionError);
  });

  it('cannot be moved under another kid', () => {
    const sealed = encryptPrivateKey(kek, 'kid-1', jwk);
    expect(() => decryptPrivateKey(kek, 'kid-2', sealed)).toThrow(KeyDecryptionError);
  });

  it('detects tampering', () => {
    const sealed = encryptPrivateKey(kek, 'kid-1', jwk);
    const data = Buffer.from(sealed.data, 'base64url');
    data[0] = data[0]! ^ 1;
    expect(() =>
      decryptPrivateKey(kek, 'kid-1', { ...sealed, data: data.toString('base64url') }),
    ).toThrow(KeyDecryptionError);
  });
});
