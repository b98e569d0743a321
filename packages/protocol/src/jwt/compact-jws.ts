import { verify, type KeyObject } from 'node:crypto';
import { MAX_TOKEN_LENGTH } from '../limits.js';
import type { SigningAlgorithm } from '../tokens.js';
import {
  SignatureInvalidError,
  TokenAlgorithmError,
  TokenHeaderError,
  TokenMalformedError,
} from './errors.js';
import { isLowS } from './ecdsa-low-s.js';
import { verifyRs256 } from './rsa-pkcs1-verify.js';
import type { VerificationKey } from './verification-key.js';

/**
 * Compact JWS (RFC 7515 §7.1) parsing and signature verification on `node:crypto` directly.
 * Only what Latchkey tokens need is accepted; everything else is refused before any crypto runs.
 */

/**
 * The strict base64url alphabet, no padding. A compact JWS is three such segments joined by
 * dots, the first two non-empty; the signature may be empty here so that `alg: none` is
 * reported as an algorithm error rather than as a malformed token.
 */
const BASE64URL_CHARS = /^[\w-]*$/;

/**
 * Header parameters we refuse outright (RFC 8725 §3.1, §3.10). `jwk`/`jku`/`x5u`/`x5c` let the
 * token bring its own key; `crit` names extensions we do not implement, which RFC 7515 §4.1.11
 * requires us to reject; `b64` (RFC 7797) changes what is signed; `zip`/`enc` belong to JWE.
 */
const FORBIDDEN_HEADERS = ['jwk', 'jku', 'x5u', 'x5c', 'crit', 'b64', 'zip', 'enc'] as const;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Scratch space for decoding, instead of a new Buffer per segment: each new Buffer costs a
 * slice of Node's pool, and a fresh pool (an ArrayBuffer the GC tracks) every few tokens. Every
 * use below writes and reads within one synchronous call, so one pair serves every verifier.
 * Base64url decoding only shrinks and latin1 keeps the length: MAX_TOKEN_LENGTH bytes suffice.
 */
const inputScratch = Buffer.allocUnsafeSlow(MAX_TOKEN_LENGTH);
const decodeScratch = Buffer.allocUnsafeSlow(MAX_TOKEN_LENGTH);

/**
 * The payload and signature of the latest parse, decoded while their alphabet was checked, so
 * that the signature check and the payload's decoding need not decode them again. `parse` says
 * which parse they hold: a caller that awaited between the steps (a key-set fetch) may find
 * them overwritten by another token's parse, and then decodes its own again.
 */
const decoded = {
  parse: 0,
  payload: Buffer.allocUnsafeSlow(MAX_TOKEN_LENGTH),
  payloadLength: -1,
  signature: Buffer.allocUnsafeSlow(MAX_TOKEN_LENGTH),
  signatureLength: -1,
};
let parses = 0;

export interface ParsedJws {
  readonly header: Readonly<Record<string, unknown>>;
  readonly alg: SigningAlgorithm;
  readonly kid: string;
  readonly headerSegment: string;
  /** `<header>.<payload>`, exactly as received: the bytes the signature covers. */
  readonly signingInput: string;
  readonly payloadSegment: string;
  readonly signatureSegment: string;
  /** Which parse this was, to find its decoded segments in the scratch buffers (see `decoded`). */
  readonly parse?: number;
}

type CheckedHeader = Pick<ParsedJws, 'header' | 'alg' | 'kid'>;

export interface JwsParser {
  /**
   * Parses a compact JWS and checks its header against the algorithm allow-list, which comes
   * from the verifier, never from the token (RFC 8725 §3.1).
   */
  parse(token: unknown): ParsedJws;
  /**
   * Remembers the header of a token whose signature verified. All tokens an IdP signs with one
   * key share one header, so the next one skips decoding and checking it again. Only signed
   * headers are remembered, so attackers cannot fill the cache.
   */
  remember(jws: ParsedJws): void;
}

/** Enough for a few keys across a rotation; the oldest entry goes first. */
const HEADER_CACHE_SIZE = 16;

export function createJwsParser(algorithms: ReadonlySet<SigningAlgorithm>): JwsParser {
  const headers = new Map<string, CheckedHeader>();

  return {
    parse(token) {
      if (typeof token !== 'string') throw new TokenMalformedError('token must be a string');
      if (token.length > MAX_TOKEN_LENGTH) throw new TokenMalformedError('token is too long');
      const firstDot = token.indexOf('.');
      const secondDot = token.indexOf('.', firstDot + 1);
      const headerSegment = token.slice(0, firstDot);
      const payloadSegment = token.slice(firstDot + 1, secondDot);
      const signatureSegment = token.slice(secondDot + 1);
      let checked = headers.get(headerSegment);
      decoded.parse = parses += 1;
      if (
        firstDot < 1 ||
        secondDot < firstDot + 2 ||
        token.indexOf('.', secondDot + 1) !== -1 ||
        !isBase64url(
          payloadSegment,
          (decoded.payloadLength = decodeWhole(payloadSegment, decoded.payload)),
        ) ||
        !isBase64url(
          signatureSegment,
          (decoded.signatureLength = decodeWhole(signatureSegment, decoded.signature)),
        ) ||
        // A remembered header passed this very test before it was remembered.
        (checked === undefined && !BASE64URL_CHARS.test(headerSegment))
      ) {
        throw new TokenMalformedError('token is not a compact JWS with three base64url segments');
      }
      checked ??= checkHeader(headerSegment, algorithms);
      // Explicit properties, not a spread: V8 spreads take a slow path costing microseconds.
      return {
        header: checked.header,
        alg: checked.alg,
        kid: checked.kid,
        headerSegment,
        signingInput: token.slice(0, secondDot),
        payloadSegment,
        signatureSegment,
        parse: parses,
      };
    },
    remember({ headerSegment, header, alg, kid }) {
      if (headers.has(headerSegment)) return;
      if (headers.size >= HEADER_CACHE_SIZE) headers.delete(headers.keys().next().value!);
      headers.set(headerSegment, { header: Object.freeze(header), alg, kid });
    },
  };
}

function checkHeader(segment: string, algorithms: ReadonlySet<SigningAlgorithm>): CheckedHeader {
  const header = decodeJsonSegment(segment, 'header');
  for (const name of FORBIDDEN_HEADERS) {
    if (name in header) throw new TokenHeaderError(`the ${name} header parameter is not accepted`);
  }
  const alg = header.alg;
  if (typeof alg !== 'string' || !algorithms.has(alg as SigningAlgorithm)) {
    throw new TokenAlgorithmError('alg is not one of the allowed algorithms');
  }
  const kid = header.kid;
  if (typeof kid !== 'string' || kid === '') {
    throw new TokenHeaderError('kid header parameter is missing or not a string');
  }
  return { header, alg: alg as SigningAlgorithm, kid };
}

/**
 * `segment` decoded into `into`: its length in bytes when every character was of the base64url
 * alphabet, else -1 (then `isBase64url` asks the pattern). Node's decoder stops at the first
 * character of neither base64 alphabet, so a segment that decodes to its full length
 * ((3 × chars) / 4, for any length but 1 mod 4) holds only characters of the two; ruling out the
 * two that only plain base64 has ('+', '/') leaves the base64url alphabet, once the string is
 * known to be ASCII (the decoder reads a wider character by its low byte: "Ł" as "A"). This
 * costs a fraction of the pattern's walk over a token's ~800 characters, and the decoding is
 * kept.
 */
function decodeWhole(segment: string, into: Buffer): number {
  if (segment.length % 4 === 1) return -1;
  const length = into.write(segment, 0, 'base64url');
  return length === (segment.length * 3) >> 2 &&
    segment.indexOf('+') === -1 &&
    segment.indexOf('/') === -1 &&
    Buffer.byteLength(segment, 'utf8') === segment.length
    ? length
    : -1;
}

/**
 * Whether `segment` uses only the base64url alphabet, as `BASE64URL_CHARS` tests: known when
 * `decodeWhole` decoded it all, else the pattern's answer, so the answer is the pattern's in
 * every case (the tests hold the two to it on random mutations).
 */
function isBase64url(segment: string, decodedLength: number): boolean {
  return decodedLength >= 0 || BASE64URL_CHARS.test(segment);
}

/** Throws unless the signature is valid under `key` for the token's algorithm. */
export function verifyJwsSignature(jws: ParsedJws, key: VerificationKey): void {
  // The key was bound to one algorithm at import, so a kid of an EC key cannot be used with
  // an RS256 header (and vice versa).
  if (key.alg !== jws.alg) {
    throw new TokenAlgorithmError('alg does not match the type of the key named by kid');
  }
  const segment = jws.signatureSegment;
  // Exact length first: an ES256 signature must be raw r||s (RFC 7518 §3.4), so a DER one fails.
  // Canonical encoding (unused trailing bits zero) gives each signature exactly one spelling.
  if (segment.length !== key.signatureChars || !hasCanonicalTail(segment, key.signatureLength)) {
    throw new SignatureInvalidError('signature verification failed');
  }
  // Both views are read by crypto.verify before it returns, so the scratch bytes are safe to
  // reuse. The signing input is ASCII (the pattern allows nothing else): latin1 is its bytes.
  const held = jws.parse === decoded.parse && decoded.signatureLength >= 0;
  const bytes = held ? decoded.signature : decodeScratch;
  const signature = new Uint8Array(
    bytes.buffer,
    bytes.byteOffset,
    held ? decoded.signatureLength : decodeScratch.write(segment, 0, 'base64url'),
  );
  // (r, s) and (r, n − s) both verify: refusing the high one gives each ES256 signature one
  // spelling, like the rules above do for its encoding. Our signer only makes low ones.
  if (key.alg === 'ES256' && !isLowS(signature)) {
    throw new SignatureInvalidError('ECDSA signature s is not in the lower half of the order');
  }
  if (key.alg === 'RS256') {
    // The signing input is ASCII (see above), so the string hashes as its own bytes.
    let valid: boolean;
    try {
      valid = verifyRs256(jws.signingInput, key.verifyKey as KeyObject, signature);
    } catch (cause) {
      throw new SignatureInvalidError('signature verification failed', { cause });
    }
    if (!valid) throw new SignatureInvalidError('signature verification failed');
    return;
  }
  const data = new Uint8Array(
    inputScratch.buffer,
    inputScratch.byteOffset,
    inputScratch.write(jws.signingInput, 0, 'latin1'),
  );
  let valid: boolean;
  try {
    valid = verify(key.alg === 'EdDSA' ? null : 'sha256', data, key.verifyKey, signature);
  } catch (cause) {
    throw new SignatureInvalidError('signature verification failed', { cause });
  }
  if (!valid) throw new SignatureInvalidError('signature verification failed');
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The last character of an unpadded encoding carries 4 (n ≡ 1 mod 3) or 2 (n ≡ 2) unused bits. */
function hasCanonicalTail(segment: string, byteLength: number): boolean {
  const rest = byteLength % 3;
  if (rest === 0) return true;
  const mask = rest === 1 ? 0b1111 : 0b11;
  return (BASE64URL.indexOf(segment.charAt(segment.length - 1)) & mask) === 0;
}

/** Decodes the payload. Call only after the signature checked out. */
export function decodeJwsPayload(jws: ParsedJws): Record<string, unknown> {
  if (jws.parse === decoded.parse && decoded.payloadLength >= 0) {
    return jsonObject(decoded.payload, decoded.payloadLength, 'payload');
  }
  return decodeJsonSegment(jws.payloadSegment, 'payload');
}

/**
 * The first `length` bytes of the decode scratch as UTF-8, exactly as the fatal TextDecoder
 * reads them (invalid UTF-8 throws, a leading BOM is dropped), on a faster road: the lenient
 * decoder turns invalid bytes into U+FFFD, so text without U+FFFD (or a BOM) was valid as is.
 * An all-ASCII result is a one-byte string, where the search for U+FFFD returns at once.
 */
function decodeUtf8(bytes: Buffer, length: number): string {
  const text = bytes.toString('utf8', 0, length);
  if (text.charCodeAt(0) !== 0xfeff && !text.includes('\ufffd')) return text;
  return utf8.decode(new Uint8Array(bytes.buffer, bytes.byteOffset, length));
}

function decodeJsonSegment(segment: string, what: string): Record<string, unknown> {
  // Length ≡ 1 (mod 4) is not valid base64; Buffer.from would silently drop the extra char.
  if (segment.length % 4 === 1) throw new TokenMalformedError(`${what} is not valid base64url`);
  return jsonObject(decodeScratch, decodeScratch.write(segment, 0, 'base64url'), what);
}

/** The first `length` bytes of `bytes` as the UTF-8 JSON object a JOSE segment must hold. */
function jsonObject(bytes: Buffer, length: number, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(decodeUtf8(bytes, length));
  } catch (cause) {
    throw new TokenMalformedError(`${what} is not UTF-8 JSON`, { cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TokenMalformedError(`${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}
