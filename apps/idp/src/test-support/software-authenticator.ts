import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

/**
 * A WebAuthn authenticator in software, for tests: an ES256 key made with node:crypto, and
 * the attestation and assertion objects built byte by byte as WebAuthn §6.1 lays them out.
 * Every field can be bent (another origin, RP ID, challenge, counter) to send the IdP the bad
 * responses it must refuse.
 */
export interface SoftCredential {
  id: string;
  privateKey: KeyObject;
  /** COSE_Key of the public key. */
  cosePublicKey: Uint8Array;
  userHandle: string;
  /** The next assertion's signature counter; each one adds one. */
  counter: number;
}

export interface SoftAuthenticatorOptions {
  rpId: string;
  origin: string;
  /** BE/BS flags: a synced passkey. Default false (device-bound). */
  backupEligible?: boolean;
  /** UV flag. Default true. */
  userVerified?: boolean;
  /** Start counters at this (0: an authenticator that does not count). Default 1. */
  initialCounter?: number;
}

export interface Bend {
  challenge?: string;
  origin?: string;
  rpId?: string;
  type?: string;
  counter?: number;
  /** Replaces clientDataJSON's bytes entirely. */
  clientDataJSON?: Buffer;
}

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;

export function softwareAuthenticator(options: SoftAuthenticatorOptions) {
  const flags =
    FLAG_UP |
    (options.userVerified === false ? 0 : FLAG_UV) |
    (options.backupEligible ? FLAG_BE | FLAG_BS : 0);

  const clientData = (type: string, challenge: string, bend: Bend) =>
    bend.clientDataJSON ??
    Buffer.from(
      JSON.stringify({
        type: bend.type ?? type,
        challenge: bend.challenge ?? challenge,
        origin: bend.origin ?? options.origin,
        crossOrigin: false,
      }),
    );

  const authData = (extraFlags: number, counter: number, rpId: string, attested?: Buffer) => {
    const head = Buffer.alloc(37);
    createHash('sha256').update(rpId).digest().copy(head, 0);
    head[32] = flags | extraFlags;
    head.writeUInt32BE(counter, 33);
    return attested ? Buffer.concat([head, attested]) : head;
  };

  return {
    /** navigator.credentials.create(): a new credential and its RegistrationResponseJSON. */
    register(
      challenge: string,
      userHandle: string,
      bend: Bend = {},
    ): { credential: SoftCredential; response: Record<string, unknown> } {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const jwk = publicKey.export({ format: 'jwk' });
      const cosePublicKey = isoCBOR.encode(
        new Map<number, number | Uint8Array>([
          [1, 2],
          [3, -7],
          [-1, 1],
          [-2, Buffer.from(jwk.x!, 'base64url')],
          [-3, Buffer.from(jwk.y!, 'base64url')],
        ]),
      );
      const id = randomBytes(16);
      const idLength = Buffer.alloc(2);
      idLength.writeUInt16BE(id.length);
      const attested = Buffer.concat([Buffer.alloc(16), idLength, id, Buffer.from(cosePublicKey)]);
      const counter = options.initialCounter ?? 1;
      const data = authData(FLAG_AT, bend.counter ?? 0, bend.rpId ?? options.rpId, attested);
      const attestationObject = isoCBOR.encode(
        new Map<string, string | Map<string, string> | Uint8Array>([
          ['fmt', 'none'],
          ['attStmt', new Map<string, string>()],
          ['authData', data],
        ]),
      );
      const credential: SoftCredential = {
        id: id.toString('base64url'),
        privateKey,
        cosePublicKey,
        userHandle,
        counter,
      };
      const response = {
        id: credential.id,
        rawId: credential.id,
        type: 'public-key',
        clientExtensionResults: {},
        authenticatorAttachment: 'platform',
        response: {
          clientDataJSON: clientData('webauthn.create', challenge, bend).toString('base64url'),
          attestationObject: Buffer.from(attestationObject).toString('base64url'),
          transports: ['internal'],
        },
      };
      return { credential, response };
    },

    /** navigator.credentials.get(): an AuthenticationResponseJSON signed by `credential`. */
    assert(
      credential: SoftCredential,
      challenge: string,
      bend: Bend = {},
    ): Record<string, unknown> {
      const counter = bend.counter ?? credential.counter;
      if (bend.counter === undefined && credential.counter > 0) credential.counter += 1;
      const data = authData(0, counter, bend.rpId ?? options.rpId);
      const client = clientData('webauthn.get', challenge, bend);
      const signed = Buffer.concat([data, createHash('sha256').update(client).digest()]);
      const signature = sign('sha256', signed, credential.privateKey);
      return {
        id: credential.id,
        rawId: credential.id,
        type: 'public-key',
        clientExtensionResults: {},
        authenticatorAttachment: 'platform',
        response: {
          clientDataJSON: client.toString('base64url'),
          authenticatorData: data.toString('base64url'),
          signature: signature.toString('base64url'),
          userHandle: credential.userHandle,
        },
      };
    },
  };
}

export type SoftwareAuthenticator = ReturnType<typeof softwareAuthenticator>;
