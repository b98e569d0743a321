import {
  constants,
  createHash,
  generateKeyPairSync,
  privateEncrypt,
  randomBytes,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyRs256 } from './rsa-pkcs1-verify.js';

/**
 * verifyRs256 must answer exactly as crypto.verify('sha256', …) does for an RSA key, on valid
 * signatures and on every kind of wrong one, including encoded blocks crafted to be almost right.
 */

const keys = [2048, 3072, 4096].map((modulusLength) =>
  generateKeyPairSync('rsa', { modulusLength, publicExponent: 0x10001 }),
);

function reference(data: Buffer, key: KeyObject, signature: Uint8Array): boolean {
  try {
    return verify('sha256', data, key, signature);
  } catch {
    return false;
  }
}

function ours(data: Buffer | string, key: KeyObject, signature: Uint8Array): boolean {
  try {
    return verifyRs256(data, key, signature);
  } catch {
    return false;
  }
}

/** A raw RSA signature (s = m^d mod n) over a block of our choosing. */
function rawSign(privateKey: KeyObject, block: Buffer): Buffer {
  return privateEncrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, block);
}

const SHA256_INFO = '3031300d060960864801650304020105000420';

function block(
  k: number,
  digestInfoHex: string,
  digest: Buffer,
  lead = '0001',
  sep = '00',
): Buffer {
  const tail = Buffer.concat([Buffer.from(sep + digestInfoHex, 'hex'), digest]);
  const head = Buffer.from(lead, 'hex');
  return Buffer.concat([head, Buffer.alloc(k - head.length - tail.length, 0xff), tail]);
}

describe('verifyRs256', () => {
  it.each(keys.map((pair) => [pair.publicKey.asymmetricKeyDetails!.modulusLength!, pair]))(
    'agrees with crypto.verify on valid and tampered signatures (%i bits)',
    (_bits, { publicKey, privateKey }) => {
      let valid = 0;
      for (let i = 0; i < 60; i += 1) {
        const data = Buffer.from(`header.${randomBytes(20 + i).toString('base64url')}`);
        const signature = sign('sha256', data, privateKey);
        expect(ours(data, publicKey, signature)).toBe(true);
        expect(ours(data.toString('latin1'), publicKey, signature)).toBe(true);
        valid += 1;

        const flipped = Buffer.from(signature);
        flipped[i % flipped.length]! ^= 1 << (i % 8);
        expect(ours(data, publicKey, flipped)).toBe(reference(data, publicKey, flipped));
        expect(ours(data, publicKey, flipped)).toBe(false);

        const otherData = Buffer.from(data);
        otherData[otherData.length - 1]! ^= 1;
        expect(ours(otherData, publicKey, signature)).toBe(false);
        expect(reference(otherData, publicKey, signature)).toBe(false);
      }
      expect(valid).toBe(60);
    },
  );

  it('refuses a signature made by another key', () => {
    const data = Buffer.from('a.b');
    const signature = sign('sha256', data, keys[1]!.privateKey);
    const other = generateKeyPairSync('rsa', { modulusLength: 3072 }).publicKey;
    expect(ours(data, other, signature)).toBe(false);
    expect(reference(data, other, signature)).toBe(false);
  });

  it('refuses representatives out of range (s = 0, s = 1, s = n, s > n)', () => {
    const { publicKey } = keys[0]!;
    const n = Buffer.from(publicKey.export({ format: 'jwk' }).n!, 'base64url');
    const data = Buffer.from('a.b');
    const one = Buffer.alloc(256);
    one[255] = 1;
    for (const signature of [Buffer.alloc(256), one, n]) {
      expect(ours(data, publicKey, signature)).toBe(false);
      expect(reference(data, publicKey, signature)).toBe(false);
    }
    const over = Buffer.alloc(256, 0xff);
    expect(ours(data, publicKey, over)).toBe(false);
    expect(reference(data, publicKey, over)).toBe(false);
  });

  it('refuses a signature of the wrong length', () => {
    const { publicKey, privateKey } = keys[0]!;
    const data = Buffer.from('a.b');
    const signature = sign('sha256', data, privateKey);
    expect(ours(data, publicKey, signature.subarray(1))).toBe(false);
    expect(ours(data, publicKey, Buffer.concat([Buffer.alloc(1), signature]))).toBe(false);
  });

  it('agrees with crypto.verify on crafted near-miss encodings', () => {
    const { publicKey, privateKey } = keys[0]!;
    const k = 256;
    const data = Buffer.from('header.payload');
    const digest = createHash('sha256').update(data).digest();
    const cases: Array<[string, Buffer, boolean]> = [
      ['the exact encoding', block(k, SHA256_INFO, digest), true],
      [
        'DigestInfo without NULL parameters',
        block(k, '302f300b0609608648016503040201' + '0420', digest),
        false,
      ],
      [
        'a SHA-1 DigestInfo around the SHA-256 digest',
        block(k, '3021300906052b0e03021a05000414', digest),
        false,
      ],
      ['block type 2', block(k, SHA256_INFO, digest, '0002'), false],
      ['a non-zero first byte', block(k, SHA256_INFO, digest, '0101'), false],
      ['a missing separator', block(k, SHA256_INFO, digest, '0001', 'ff'), false],
      [
        'the digest of other data',
        block(k, SHA256_INFO, createHash('sha256').update('x').digest()),
        false,
      ],
      [
        'trailing garbage after a shorter PS',
        Buffer.concat([block(k - 4, SHA256_INFO, digest), Buffer.alloc(4, 1)]),
        false,
      ],
    ];
    for (const [name, encoded, want] of cases) {
      const signature = rawSign(privateKey, encoded);
      expect([name, ours(data, publicKey, signature)]).toEqual([name, want]);
      expect([name, reference(data, publicKey, signature)]).toEqual([name, want]);
    }
  });
});
