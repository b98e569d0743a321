import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isLowS, toLowS, withNegatedS } from './ecdsa-low-s.js';

const ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const HALF = ORDER >> 1n;

/** r (random) and the given s as a 64-byte r‖s signature. */
function signatureWithS(s: bigint): Buffer {
  return Buffer.concat([randomBytes(32), Buffer.from(s.toString(16).padStart(64, '0'), 'hex')]);
}

const sOf = (signature: Buffer) => BigInt(`0x${signature.subarray(32).toString('hex')}`);

describe('toLowS', () => {
  it('gives n − s for every s above n/2 and leaves the rest alone, as BigInt arithmetic does', () => {
    const edges = [1n, HALF - 1n, HALF, HALF + 1n, ORDER - 1n, ORDER - 256n, ORDER - 0x10000n];
    const random = Array.from(
      { length: 2000 },
      () => BigInt(`0x${randomBytes(32).toString('hex')}`) % ORDER,
    );
    for (const s of [...edges, ...random]) {
      const signature = signatureWithS(s);
      const r = Buffer.from(signature.subarray(0, 32));
      const low = toLowS(Buffer.from(signature));
      expect(low.subarray(0, 32)).toEqual(r);
      expect(sOf(low)).toBe(s > HALF ? ORDER - s : s);
      expect(isLowS(low)).toBe(true);
      if (s > HALF) expect(low).toEqual(withNegatedS(signature));
    }
  });
});
