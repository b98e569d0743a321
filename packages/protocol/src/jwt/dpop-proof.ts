import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { MIN_RSA_BITS } from '../limits.js';
import { DpopBindingError, DpopProofError } from './errors.js';

/**
 * DPoP proofs (RFC 9449) as the IdP's token endpoint and every resource (the IdP's /userinfo,
 * the SDK's verifier) check them: one function, so that a proof one side accepts the other
 * cannot refuse. Pure: the replay cache and server nonces belong to the caller, which gets the
 * `jti`, `jkt` and `nonce` back.
 */

/** `dpop_signing_alg_values_supported`: asymmetric only, never `none` or HS* (§4.3 check 5). */
export const DPOP_SIGNING_ALGORITHMS = ['ES256', 'EdDSA', 'RS256'] as const;
export type DpopAlgorithm = (typeof DPOP_SIGNING_ALGORITHMS)[number];

export const DPOP_PROOF_TYP = 'dpop+jwt';

/** How far `iat` may lie from now, either way, unless the caller says otherwise (§11.1). */
export const DEFAULT_DPOP_PROOF_WINDOW_SEC = 60;

/** A proof is a few hundred bytes; an RSA-4096 key makes it about 1.5 KB. */
const MAX_PROOF_LENGTH = 4096;
const MAX_JTI_LENGTH = 256;
const COMPACT_JWS = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/** Private and symmetric JWK members (RFC 7518 §6.2.2, §6.3.2, §6.4.1): a proof must not carry them. */
const SECRET_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

export interface DpopProofInput {
  /** The `DPoP` request header: exactly one proof (§4.3 check 1). */
  proof: string | readonly string[] | undefined;
  /** The request's method. */
  method: string;
  /** The request's full URL as the client addressed it (the public one, behind proxies). */
  url: string;
  /** Epoch milliseconds. */
  now: number;
  /** `iat` may lie this many seconds before or after now. Default 60. */
  windowSec?: number;
  /** At a resource: the access token presented with the proof, whose hash `ath` must be (§4.3 check 11). */
  accessToken?: string;
}

export interface CheckedDpopProof {
  /** RFC 7638 thumbprint of the proof's key: what `cnf.jkt` binds a token to. */
  readonly jkt: string;
  readonly jti: string;
  readonly iat: number;
  /** The proof's `nonce` claim, for the caller to check when it requires one (§8, §9). */
  readonly nonce: string | undefined;
}

/**
 * Checks a DPoP proof (RFC 9449 §4.3) and returns its key thumbprint and `jti`; throws
 * {@link DpopProofError} naming the failed check. The caller then checks the `jti` against
 * its replay cache and, if it wants nonces, the `nonce`.
 */
export function checkDpopProof(input: DpopProofInput): CheckedDpopProof {
  const proof = singleProof(input.proof);
  const [headerSegment, payloadSegment, signatureSegment] = proof.split('.') as [
    string,
    string,
    string,
  ];
  const { alg, key, jkt } = headers.get(headerSegment) ?? checkHeader(headerSegment);

  const signature = Buffer.from(signatureSegment, 'base64url');
  const data = Buffer.from(`${headerSegment}.${payloadSegment}`, 'latin1');
  let valid = false;
  try {
    valid = verify(
      alg === 'EdDSA' ? null : 'sha256',
      data,
      // Clients sign with WebCrypto, which makes high-s ECDSA signatures as often as low ones,
      // so (unlike for our own tokens) both are accepted: a proof is single-use anyway.
      alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key,
      signature,
    );
  } catch {
    valid = false;
  }
  if (!valid) throw new DpopProofError('the proof signature does not verify with its jwk');

  const claims = decodeSegment(payloadSegment, 'payload');
  const { jti, htm, htu, iat, nonce } = claims;
  if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH) {
    throw new DpopProofError('jti is missing or too long');
  }
  if (htm !== input.method) throw new DpopProofError('htm does not match the request method');
  if (typeof htu !== 'string' || dpopHtu(htu) !== dpopHtu(input.url)) {
    throw new DpopProofError('htu does not match the request URL');
  }
  if (typeof iat !== 'number' || !Number.isFinite(iat)) {
    throw new DpopProofError('iat is missing');
  }
  const windowSec = input.windowSec ?? DEFAULT_DPOP_PROOF_WINDOW_SEC;
  if (Math.abs(input.now / 1000 - iat) > windowSec) {
    throw new DpopProofError('iat is outside the accepted window');
  }
  if (nonce !== undefined && typeof nonce !== 'string') {
    throw new DpopProofError('nonce must be a string');
  }
  if (input.accessToken !== undefined && claims.ath !== dpopAccessTokenHash(input.accessToken)) {
    throw new DpopProofError('ath does not match the access token');
  }
  return { jkt, jti, iat, nonce };
}

interface CheckedHeader {
  readonly alg: DpopAlgorithm;
  readonly key: KeyObject;
  readonly jkt: string;
}

/**
 * A client signs every proof with one key, so its header repeats: importing the key and
 * hashing its thumbprint cost a third of a check, and are done once per header here. An
 * entry is what the header alone decides (it is the same whoever sends it), so only headers
 * that passed the header checks are kept, at most this many, the oldest going first; the
 * signature is still checked on every proof.
 */
const HEADER_CACHE_SIZE = 1024;
const headers = new Map<string, CheckedHeader>();

function checkHeader(segment: string): CheckedHeader {
  const header = decodeSegment(segment, 'header');
  if (header.typ !== DPOP_PROOF_TYP) throw new DpopProofError(`typ must be ${DPOP_PROOF_TYP}`);
  const alg = header.alg;
  if (typeof alg !== 'string' || !(DPOP_SIGNING_ALGORITHMS as readonly string[]).includes(alg)) {
    throw new DpopProofError(`alg must be one of ${DPOP_SIGNING_ALGORITHMS.join(', ')}`);
  }
  const jwk = publicJwk(header.jwk);
  const checked: CheckedHeader = {
    alg: alg as DpopAlgorithm,
    key: importProofKey(jwk, alg as DpopAlgorithm),
    jkt: jwkThumbprint(jwk),
  };
  if (headers.size >= HEADER_CACHE_SIZE) headers.delete(headers.keys().next().value!);
  headers.set(segment, checked);
  return checked;
}

/**
 * At a resource (§7.1, §7.2): a token bound with `cnf.jkt` needs the DPoP scheme and a proof
 * by that key; an unbound token must not come with the DPoP scheme. `proofJkt` is undefined
 * when the request used the Bearer scheme.
 */
export function checkDpopBinding(claims: { cnf?: unknown }, proofJkt: string | undefined): void {
  const cnf = claims.cnf;
  const jkt =
    typeof cnf === 'object' && cnf !== null ? (cnf as Record<string, unknown>).jkt : undefined;
  if (cnf !== undefined && typeof jkt !== 'string') {
    throw new DpopBindingError('the token confirmation (cnf) is not a jkt');
  }
  if (jkt === undefined) {
    if (proofJkt !== undefined) throw new DpopBindingError('the token is not DPoP-bound');
    return;
  }
  if (proofJkt === undefined) {
    throw new DpopBindingError('a DPoP-bound token must be sent with the DPoP scheme and a proof');
  }
  if (proofJkt !== jkt) throw new DpopBindingError('the proof key does not match cnf.jkt');
}

/** §4.3 check 9: the URL without query and fragment, normalised (RFC 3986 §6.2.2, §6.2.3). */
export function dpopHtu(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '\0invalid';
  }
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

/** §4.2 `ath`: base64url SHA-256 of the access token's ASCII octets. */
export function dpopAccessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}

/** RFC 7638 JWK thumbprint (SHA-256) of a public EC, OKP or RSA key. */
export function jwkThumbprint(jwk: Readonly<Record<string, unknown>>): string {
  // The required members only, in lexicographic order, no whitespace (RFC 7638 §3.2).
  const members =
    jwk.kty === 'EC'
      ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
      : jwk.kty === 'OKP'
        ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x }
        : { e: jwk.e, kty: jwk.kty, n: jwk.n };
  if (Object.values(members).some((value) => typeof value !== 'string')) {
    throw new DpopProofError('jwk lacks a member its thumbprint needs');
  }
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

function singleProof(value: DpopProofInput['proof']): string {
  const proof: unknown =
    typeof value === 'string' || value === undefined
      ? value
      : value.length === 1
        ? value[0]
        : undefined;
  if (typeof proof !== 'string' || proof === '') {
    throw new DpopProofError('exactly one DPoP header is required');
  }
  if (proof.length > MAX_PROOF_LENGTH || !COMPACT_JWS.test(proof)) {
    throw new DpopProofError('the DPoP header is not a compact JWS');
  }
  return proof;
}

function decodeSegment(segment: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new DpopProofError(`the proof ${what} is not base64url JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DpopProofError(`the proof ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** §4.3 check 6: a public key, never a private or symmetric one. */
function publicJwk(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DpopProofError('the proof header has no jwk');
  }
  const jwk = value as Record<string, unknown>;
  if (SECRET_MEMBERS.some((name) => name in jwk) || jwk.kty === 'oct') {
    throw new DpopProofError('the proof jwk must be a public key');
  }
  return jwk;
}

/** The key, only if its type is the one `alg` names (no algorithm confusion). */
function importProofKey(jwk: Record<string, unknown>, alg: DpopAlgorithm): KeyObject {
  const fits =
    (alg === 'ES256' && jwk.kty === 'EC' && jwk.crv === 'P-256') ||
    (alg === 'EdDSA' && jwk.kty === 'OKP' && jwk.crv === 'Ed25519') ||
    (alg === 'RS256' && jwk.kty === 'RSA');
  if (!fits) throw new DpopProofError('the proof jwk does not fit its alg');
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk as never, format: 'jwk' });
  } catch {
    throw new DpopProofError('the proof jwk is not a valid public key');
  }
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (alg === 'RS256' && (key.asymmetricKeyType !== 'rsa' || (bits ?? 0) < MIN_RSA_BITS)) {
    throw new DpopProofError(`an RSA proof key needs at least ${MIN_RSA_BITS} bits`);
  }
  return key;
}
