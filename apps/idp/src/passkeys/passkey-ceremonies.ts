import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { decodeAttestationObject } from '@simplewebauthn/server/helpers';
import { PasskeyError } from './passkey-errors.js';
import type { Passkey } from './passkey-repository.js';
import { checkClientData, checkRpIdHash, malformed, parseResponse } from './passkey-response.js';
import type { RelyingParty } from './relying-party.js';

/**
 * The two WebAuthn ceremonies, through @simplewebauthn/server: options to hand the browser,
 * and the checks of what comes back. Pure apart from the library's crypto: the challenge,
 * the user's passkeys and the stored credential are given, nothing is read or written here.
 */

/** How long the browser may take; the challenge lives as long (challenge-store.ts). */
export const CEREMONY_TIMEOUT_MS = 5 * 60_000;

/** ES256 and EdDSA first, RS256 for Windows Hello (WebAuthn §5.4.6 recommends this set). */
const ALGORITHMS = [-7, -8, -257];

export async function registrationOptions(
  rp: RelyingParty,
  input: {
    challenge: string;
    userHandle: string;
    username: string;
    displayName: string;
    existing: readonly Passkey[];
  },
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userID: Buffer.from(input.userHandle, 'base64url'),
    userName: input.username,
    userDisplayName: input.displayName,
    challenge: Buffer.from(input.challenge, 'base64url'),
    timeout: CEREMONY_TIMEOUT_MS,
    // Attestation is for fleets with an authenticator policy; we trust no vendor list, so we
    // ask for none and browsers strip it (smaller responses, no privacy cost to the user).
    attestationType: 'none',
    // The same authenticator twice is refused by the browser itself.
    excludeCredentials: input.existing.map((passkey) => ({
      id: passkey.credentialId,
      transports: [...passkey.transports],
    })),
    // Discoverable: the passwordless, usernameless sign-in finds the account from the key.
    authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    supportedAlgorithmIDs: ALGORITHMS,
  });
}

/** What an accepted registration gives to store. */
export interface RegisteredCredential {
  credentialId: string;
  publicKey: string;
  counter: number;
  transports: string[];
  backupEligible: boolean;
  backedUp: boolean;
}

/** WebAuthn §7.1, refusing with a PasskeyError; never a plain Error out of the library. */
export async function verifyRegistration(
  rp: RelyingParty,
  raw: string | undefined,
  challenge: string,
): Promise<RegisteredCredential> {
  const parsed = parseResponse(raw, ['attestationObject']);
  checkClientData(parsed, { type: 'webauthn.create', challenge, origin: rp.origin });
  let authData: Uint8Array;
  try {
    const attestation = decodeAttestationObject(
      Buffer.from(parsed.fields.attestationObject!, 'base64url'),
    );
    authData = attestation.get('authData');
    if (!(authData instanceof Uint8Array)) throw new Error('no authData');
  } catch (error) {
    throw new PasskeyError('ERR_PASSKEY_MALFORMED', 'attestationObject is not valid CBOR', {
      cause: error,
    });
  }
  checkRpIdHash(authData, rp.id);
  let result;
  try {
    result = await verifyRegistrationResponse({
      response: parsed.json as unknown as RegistrationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: false,
      supportedAlgorithmIDs: ALGORITHMS,
    });
  } catch (error) {
    throw invalid(error);
  }
  if (!result.verified) throw new PasskeyError('ERR_PASSKEY_INVALID', 'registration not verified');
  const { credential, credentialDeviceType, credentialBackedUp } = result.registrationInfo;
  if (credential.id !== parsed.credentialId) throw malformed('id differs from authenticatorData');
  return {
    credentialId: credential.id,
    publicKey: Buffer.from(credential.publicKey).toString('base64url'),
    counter: credential.counter,
    transports: knownTransports(parsed.json),
    backupEligible: credentialDeviceType === 'multiDevice',
    backedUp: credentialBackedUp,
  };
}

/**
 * Options for a sign-in. Without `allow`, the browser offers every passkey it holds for us
 * (discoverable credentials: the passwordless, usernameless sign-in, and conditional UI).
 */
export async function authenticationOptions(
  rp: RelyingParty,
  input: { challenge: string; allow?: readonly Passkey[] },
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: rp.id,
    challenge: Buffer.from(input.challenge, 'base64url'),
    timeout: CEREMONY_TIMEOUT_MS,
    userVerification: 'preferred',
    allowCredentials: (input.allow ?? []).map((passkey) => ({
      id: passkey.credentialId,
      transports: [...passkey.transports],
    })),
  });
}

/** The credential id and user handle of a response, read before the passkey is looked up. */
export interface AssertionClaim {
  credentialId: string;
  /** base64url; absent when the authenticator gave none (a non-discoverable credential). */
  userHandle: string | undefined;
}

/** An assertion that passed every check, with what the sign-in records and tells. */
export interface VerifiedAssertion {
  counter: number;
  backedUp: boolean;
  userVerified: boolean;
}

/**
 * The first half of WebAuthn §7.2: shape, ceremony, challenge, origin; then which credential
 * it claims to be. The caller finds that passkey and calls {@link finishAssertion}.
 */
export function readAssertion(
  rp: RelyingParty,
  raw: string | undefined,
  challenge: string,
): { claim: AssertionClaim; parsed: ReturnType<typeof parseResponse> } {
  const parsed = parseResponse(raw, ['authenticatorData', 'signature']);
  checkClientData(parsed, { type: 'webauthn.get', challenge, origin: rp.origin });
  checkRpIdHash(Buffer.from(parsed.fields.authenticatorData!, 'base64url'), rp.id);
  const response = parsed.json.response as Record<string, unknown>;
  const handle = response.userHandle;
  if (handle !== undefined && handle !== null && (typeof handle !== 'string' || handle === '')) {
    throw malformed('bad userHandle');
  }
  return {
    claim: { credentialId: parsed.credentialId, userHandle: handle ?? undefined },
    parsed,
  };
}

/**
 * The second half: the signature over the authenticator data and client data by the stored
 * key, the flags, and the counter (§7.2 step 22): a counter that does not grow when either
 * side counts means two authenticators hold this key, one of them a clone.
 */
export async function finishAssertion(
  rp: RelyingParty,
  parsed: ReturnType<typeof parseResponse>,
  challenge: string,
  passkey: Passkey,
): Promise<VerifiedAssertion> {
  let result;
  try {
    result = await verifyAuthenticationResponse({
      response: parsed.json as unknown as AuthenticationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      // The counter is compared below, after the signature: only a verified response may
      // raise the "cloned authenticator" alarm, or anyone could raise it for any credential.
      credential: {
        id: passkey.credentialId,
        publicKey: Buffer.from(passkey.publicKey, 'base64url'),
        counter: 0,
      },
      requireUserVerification: false,
    });
  } catch (error) {
    throw invalid(error);
  }
  if (!result.verified) throw new PasskeyError('ERR_PASSKEY_INVALID', 'bad signature');
  const { newCounter, credentialBackedUp, userVerified } = result.authenticationInfo;
  if ((newCounter > 0 || passkey.counter > 0) && newCounter <= passkey.counter) {
    throw new PasskeyError(
      'ERR_PASSKEY_COUNTER',
      `signature counter ${newCounter} did not grow past ${passkey.counter}`,
    );
  }
  return { counter: newCounter, backedUp: credentialBackedUp, userVerified };
}

const TRANSPORTS = new Set(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);

/** Kept only as hints for later `allowCredentials`/`excludeCredentials`; unknown ones dropped. */
function knownTransports(json: Record<string, unknown>): string[] {
  const response = json.response as Record<string, unknown>;
  const list = Array.isArray(response.transports) ? response.transports : [];
  return [...new Set(list.filter((t): t is string => typeof t === 'string' && TRANSPORTS.has(t)))];
}

function invalid(error: unknown): PasskeyError {
  if (error instanceof PasskeyError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new PasskeyError('ERR_PASSKEY_INVALID', reason.slice(0, 200), { cause: error });
}
