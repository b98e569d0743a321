import { createHash, timingSafeEqual } from 'node:crypto';
import { PasskeyError } from './passkey-errors.js';

/**
 * The checks every WebAuthn response gets before the library sees it: its shape and size, and
 * the three bindings WebAuthn §7.1/§7.2 steps 7-13 ask for, made here so that each refusal
 * has its own code (the library throws plain Errors with free text): the ceremony type, the
 * challenge (constant-time) and the origin (exact). The RP ID hash is checked where the
 * authenticator data is parsed (passkey-ceremonies.ts).
 */

/**
 * clientDataJSON is ~150-300 bytes from every browser we know (the spec lets it grow, Chrome
 * adds a short filler key now and then); a few KiB leaves room and refuses a blob meant to
 * make the server parse or hash megabytes.
 */
export const MAX_CLIENT_DATA_BYTES = 4 * 1024;
/** The whole response as the form carries it; attestation `none` keeps it small. */
export const MAX_RESPONSE_CHARS = 32 * 1024;

const BASE64URL = /^[A-Za-z0-9_-]*$/;

export interface ParsedResponse {
  /** The JSON object as sent, for the library. */
  readonly json: Record<string, unknown>;
  readonly credentialId: string;
  readonly clientData: { type: string; challenge: string; origin: string };
  readonly fields: Readonly<Record<string, string>>;
}

/**
 * Parses the form's JSON response, refusing anything malformed or too large with
 * ERR_PASSKEY_MALFORMED. `required` names the base64url members `response` must hold.
 */
export function parseResponse(
  raw: string | undefined,
  required: readonly string[],
): ParsedResponse {
  if (raw === undefined || raw === '') throw malformed('no response');
  if (raw.length > MAX_RESPONSE_CHARS) throw malformed('response too large');
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw malformed('response is not JSON');
  }
  if (!isObject(json)) throw malformed('response is not an object');
  const { id, rawId, type, response } = json;
  if (typeof id !== 'string' || id === '' || !BASE64URL.test(id) || id.length > 1366) {
    throw malformed('bad credential id');
  }
  if (rawId !== id) throw malformed('rawId differs from id');
  if (type !== 'public-key') throw malformed('type is not public-key');
  if (!isObject(response)) throw malformed('no response member');
  const fields: Record<string, string> = {};
  for (const name of ['clientDataJSON', ...required]) {
    const value = response[name];
    if (typeof value !== 'string' || value === '' || !BASE64URL.test(value)) {
      throw malformed(`bad ${name}`);
    }
    fields[name] = value;
  }
  const clientDataBytes = Buffer.from(fields.clientDataJSON!, 'base64url');
  if (clientDataBytes.length > MAX_CLIENT_DATA_BYTES) throw malformed('clientDataJSON too large');
  let clientData: unknown;
  try {
    clientData = JSON.parse(clientDataBytes.toString('utf8'));
  } catch {
    throw malformed('clientDataJSON is not JSON');
  }
  if (!isObject(clientData)) throw malformed('clientDataJSON is not an object');
  const { type: ceremony, challenge, origin } = clientData;
  if (typeof ceremony !== 'string' || typeof challenge !== 'string' || typeof origin !== 'string') {
    throw malformed('clientDataJSON lacks type, challenge or origin');
  }
  return { json, credentialId: id, clientData: { type: ceremony, challenge, origin }, fields };
}

/**
 * WebAuthn §7.1 steps 7-9 (§7.2 steps 11-13): the ceremony, the challenge this server issued
 * for it, and the origin. A response made on another site (a phishing proxy's origin) or for
 * another challenge is refused before any signature work.
 */
export function checkClientData(
  parsed: ParsedResponse,
  expected: { type: 'webauthn.create' | 'webauthn.get'; challenge: string; origin: string },
): void {
  const { clientData } = parsed;
  if (clientData.type !== expected.type) throw malformed(`type is not ${expected.type}`);
  if (!sameSecret(clientData.challenge, expected.challenge)) {
    throw new PasskeyError('ERR_PASSKEY_CHALLENGE', 'the response is for another challenge');
  }
  if (clientData.origin !== expected.origin) {
    throw new PasskeyError('ERR_PASSKEY_ORIGIN', 'the response was made on another origin');
  }
}

/** WebAuthn §7.1 step 13 / §7.2 step 15: the first 32 bytes of authenticatorData. */
export function checkRpIdHash(authenticatorData: Uint8Array, rpId: string): void {
  if (authenticatorData.length < 37) throw malformed('authenticatorData too short');
  const expected = createHash('sha256').update(rpId, 'utf8').digest();
  if (!timingSafeEqual(Buffer.from(authenticatorData.subarray(0, 32)), expected)) {
    throw new PasskeyError('ERR_PASSKEY_RP_ID', 'the response is scoped to another RP ID');
  }
}

function sameSecret(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function malformed(reason: string): PasskeyError {
  return new PasskeyError('ERR_PASSKEY_MALFORMED', reason);
}
