/**
 * Low-`s` ECDSA signatures for P-256 (ES256). An ECDSA signature (r, s) has a twin
 * (r, n − s) that verifies just as well, so anyone holding a token can mint a second,
 * different string for it. Latchkey signs only with s ≤ n/2 and its verifiers refuse the
 * other half (as BIP 62 does for Bitcoin), so every signature has exactly one spelling.
 */

/** The order n of the P-256 group (SEC 2 §2.4.2). */
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** floor(n / 2), big-endian: the largest `s` accepted. */
const HALF_ORDER = Buffer.from((P256_ORDER >> 1n).toString(16).padStart(64, '0'), 'hex');

/** Whether the raw `r‖s` signature (64 bytes, IEEE P1363) has s ≤ n/2. */
export function isLowS(signature: Uint8Array): boolean {
  // Big-endian byte comparison: no BigInt on the verification path.
  for (let i = 0; i < 32; i += 1) {
    const byte = signature[32 + i]!;
    const limit = HALF_ORDER[i]!;
    if (byte !== limit) return byte < limit;
  }
  return true;
}

/** n, big-endian, for the subtraction below. */
const ORDER = Buffer.from(P256_ORDER.toString(16).padStart(64, '0'), 'hex');

/**
 * `signature` with s replaced by n − s when s is in the upper half, in place: the caller hands
 * over a buffer of its own (a fresh `crypto.sign` result). Byte-wise subtraction with borrow
 * rather than BigInt, which costs a hex string both ways on half of all signatures.
 */
export function toLowS(signature: Buffer): Buffer {
  if (isLowS(signature)) return signature;
  let borrow = 0;
  for (let i = 31; i >= 0; i -= 1) {
    const difference = ORDER[i]! - signature[32 + i]! - borrow;
    signature[32 + i] = difference & 0xff;
    borrow = difference < 0 ? 1 : 0;
  }
  return signature;
}

/** The twin (r, n − s) of a signature, which verifies too: what tests of the rule craft. */
export function withNegatedS(signature: Buffer): Buffer {
  const s = BigInt(`0x${signature.subarray(32).toString('hex')}`);
  const high = Buffer.from((P256_ORDER - s).toString(16).padStart(64, '0'), 'hex');
  return Buffer.concat([signature.subarray(0, 32), high]);
}
