import { DEFAULT_ALGORITHMS, SECEVENT_TYP, type SecurityEventClaims } from '@latchkey/protocol';
import {
  AudienceMismatchError,
  ClaimInvalidError,
  createJwsParser,
  decodeJwsPayload,
  IssuerMismatchError,
  TokenTypeError,
  verifyJwsSignature,
} from '@latchkey/protocol/jwt';
import type { KeySource } from '../lib/key-source.js';

/**
 * Verifies one Security Event Token from the IdP (RFC 8417, SSF 1.0 §4): `typ: secevent+jwt`
 * (so no other JWT of the IdP's passes as one, RFC 8725 §3.11), signature with the IdP's
 * published keys, `iss` the issuer, `aud` this receiver, `jti` and `iat`, a `sub_id`, and
 * exactly one event. Throws the core's TokenInvalidError subclasses, or JwksUnavailableError
 * when the keys cannot be fetched (then the SET is retried, not refused).
 */
export type SetVerifier = (set: string) => Promise<SecurityEventClaims>;

export function createSetVerifier(options: {
  issuer: string;
  audience: string;
  keys: KeySource;
}): SetVerifier {
  const parser = createJwsParser(new Set(DEFAULT_ALGORITHMS));
  return async (set) => {
    const jws = parser.parse(set);
    if (jws.header.typ !== SECEVENT_TYP) throw new TokenTypeError('typ must be secevent+jwt');
    verifyJwsSignature(jws, await options.keys(jws.kid));
    parser.remember(jws);
    const claims = decodeJwsPayload(jws);
    if (claims.iss !== options.issuer) throw new IssuerMismatchError('iss is not the issuer');
    const aud = claims.aud;
    if (!(Array.isArray(aud) ? aud : [aud]).includes(options.audience)) {
      throw new AudienceMismatchError('aud does not name this receiver');
    }
    if (typeof claims.jti !== 'string' || claims.jti.length === 0) {
      throw new ClaimInvalidError('jti');
    }
    if (typeof claims.iat !== 'number') throw new ClaimInvalidError('iat');
    const subject = claims.sub_id as { format?: unknown } | undefined;
    if (typeof subject !== 'object' || subject === null || typeof subject.format !== 'string') {
      throw new ClaimInvalidError('sub_id');
    }
    const { events } = claims;
    if (
      typeof events !== 'object' ||
      events === null ||
      Array.isArray(events) ||
      Object.keys(events).length !== 1 ||
      Object.values(events).some((event) => typeof event !== 'object' || event === null)
    ) {
      throw new ClaimInvalidError('events', 'events must hold exactly one event object');
    }
    return claims as unknown as SecurityEventClaims;
  };
}
