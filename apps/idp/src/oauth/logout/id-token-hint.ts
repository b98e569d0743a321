import { compactVerify, errors, type JWTVerifyGetKey } from 'jose';
import { ACCESS_TOKEN_TYP } from '@latchkey/protocol';

export interface IdTokenHint {
  sub: string;
  /** The audiences (client ids) the ID token was issued to. */
  aud: string[];
  azp?: string;
  sid?: string;
}

/** The hint cannot be accepted; the message is safe to show. */
export class BadHintError extends Error {}

/**
 * RP-Initiated Logout §2 `id_token_hint`: an ID token this IdP issued. The signature and
 * `iss` must hold; an expired token is accepted (the spec allows it, and an RP's ID token
 * has usually expired by the time its user signs out). A token whose key has been dropped
 * from the key set cannot be checked: it resolves to null and counts as no hint at all.
 */
export async function verifyIdTokenHint(
  hint: string,
  getKey: JWTVerifyGetKey,
  issuer: string,
): Promise<IdTokenHint | null> {
  let payload: Uint8Array;
  let typ: unknown;
  try {
    const verified = await compactVerify(hint, getKey, {
      algorithms: ['ES256', 'RS256', 'EdDSA'],
    });
    payload = verified.payload;
    typ = verified.protectedHeader.typ;
  } catch (error) {
    if (error instanceof errors.JWKSNoMatchingKey) return null;
    throw new BadHintError('the id_token_hint is not an ID token issued here');
  }
  // An access token is no ID token (RFC 8725 §3.11).
  if (typeof typ === 'string' && typ.toLowerCase().endsWith(ACCESS_TOKEN_TYP)) {
    throw new BadHintError('the id_token_hint is not an ID token');
  }
  let claims: Record<string, unknown> | null;
  try {
    claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown> | null;
  } catch {
    throw new BadHintError('the id_token_hint is malformed');
  }
  // A signed payload of `null` or a number used to crash the claim reads below (a 500).
  if (typeof claims !== 'object' || claims === null) {
    throw new BadHintError('the id_token_hint is malformed');
  }
  const aud = typeof claims.aud === 'string' ? [claims.aud] : claims.aud;
  if (
    claims.iss !== issuer ||
    typeof claims.sub !== 'string' ||
    !Array.isArray(aud) ||
    aud.length === 0 ||
    !aud.every((item) => typeof item === 'string')
  ) {
    throw new BadHintError('the id_token_hint was not issued by this provider');
  }
  return {
    sub: claims.sub,
    aud,
    ...(typeof claims.azp === 'string' && { azp: claims.azp }),
    ...(typeof claims.sid === 'string' && { sid: claims.sid }),
  };
}
