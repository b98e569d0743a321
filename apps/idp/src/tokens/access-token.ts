import { randomBytes } from 'node:crypto';
import { ACCESS_TOKEN_TYP, type AccessTokenClaims } from '@latchkey/protocol';
import type { SigningKey } from '../keys/key-manager.js';
import { signCompactJws } from '@latchkey/protocol/jwt';

export interface AccessTokenInput {
  issuer: string;
  subject: string;
  clientId: string;
  audience: readonly string[];
  scope: readonly string[];
  ttlMs: number;
  now: number;
  sid?: string;
  authTime?: number;
  username?: string;
  roles?: readonly string[];
  /** RFC 9449 §6.1: binds the token to the DPoP key with this thumbprint (`cnf.jkt`). */
  jkt?: string | undefined;
}

export interface IssuedAccessToken {
  token: string;
  claims: AccessTokenClaims;
}

/**
 * 128 random bits per `jti`, cut from a batch: each randomBytes call is a trip into OpenSSL
 * (and a getpid for its fork check), which at the token endpoint cost as much as the rest of
 * the claims. Every byte still comes from the CSPRNG and is used once.
 */
const ID_BYTES = 16;
let ids = Buffer.alloc(0);
let nextId = 0;

function newTokenId(): string {
  if (nextId >= ids.length) {
    ids = randomBytes(ID_BYTES * 256);
    nextId = 0;
  }
  nextId += ID_BYTES;
  return ids.toString('base64url', nextId - ID_BYTES, nextId);
}

/** Signs an RFC 9068 access token: `typ: at+jwt`, `kid` always set, a unique `jti`. */
export function signAccessToken(
  key: SigningKey,
  input: AccessTokenInput,
): Promise<IssuedAccessToken> {
  const iat = Math.floor(input.now / 1000);
  const claims: AccessTokenClaims = {
    iss: input.issuer,
    sub: input.subject,
    aud: input.audience.length === 1 ? input.audience[0]! : [...input.audience],
    client_id: input.clientId,
    iat,
    exp: iat + Math.floor(input.ttlMs / 1000),
    jti: newTokenId(),
    ...(input.scope.length > 0 && { scope: input.scope.join(' ') }),
    ...(input.sid !== undefined && { sid: input.sid }),
    ...(input.authTime !== undefined && { auth_time: input.authTime }),
    ...(input.username !== undefined && { preferred_username: input.username }),
    ...(input.roles !== undefined && { roles: [...input.roles] }),
    ...(input.jkt !== undefined && { cnf: { jkt: input.jkt } }),
  };
  const token = signCompactJws(key, ACCESS_TOKEN_TYP, claims);
  return Promise.resolve({ token, claims });
}
