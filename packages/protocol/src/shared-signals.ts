/**
 * Shared Signals (OpenID SSF 1.0, CAEP 1.0) as Latchkey speaks them: the event types, the
 * subject shapes (RFC 9493) and the SET claims (RFC 8417, SSF §4) that the IdP (transmitter)
 * writes and the SDK (receiver) reads. Both import these, so the two cannot drift.
 */

/** SSF §4.1.1 / RFC 8417 §2.3: SETs are explicitly typed, so no other JWT passes as one. */
export const SECEVENT_TYP = 'secevent+jwt';
/** RFC 8935 §2: the media type of a pushed SET. */
export const SECEVENT_MEDIA_TYPE = 'application/secevent+jwt';

/** SSF §6.1: delivery methods, named by the RFC that defines them. */
export const SSF_DELIVERY_PUSH = 'urn:ietf:rfc:8935';
export const SSF_DELIVERY_POLL = 'urn:ietf:rfc:8936';

/** The OAuth scope a receiver's access token needs for the stream management API. */
export const SSF_MANAGE_SCOPE = 'ssf.manage';

/** The `resource` (RFC 8707) a receiver asks its token for: the transmitter's API. */
export function ssfAudience(issuer: string): string {
  return `${issuer.replace(/\/$/, '')}/ssf`;
}

export const CAEP_SESSION_REVOKED =
  'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
export const CAEP_CREDENTIAL_CHANGE =
  'https://schemas.openid.net/secevent/caep/event-type/credential-change';
/** SSF §8.1.4: the answer to a verification request; always delivered, never requested. */
export const SSF_VERIFICATION = 'https://schemas.openid.net/secevent/ssf/event-type/verification';

/** The event types Latchkey transmits (besides verification). */
export const SSF_EVENTS_SUPPORTED: readonly string[] = [
  CAEP_SESSION_REVOKED,
  CAEP_CREDENTIAL_CHANGE,
];

/** RFC 9493 §3.2.4: the user as issuer and subject of our tokens. */
export interface IssSubSubject {
  format: 'iss_sub';
  iss: string;
  sub: string;
}

/** RFC 9493 §3.2.3: an identifier only the transmitter interprets (a `sid`, a stream id). */
export interface OpaqueSubject {
  format: 'opaque';
  id: string;
}

/** SSF §3.2: a complex subject; Latchkey sends a user's one session as {user, session}. */
export interface ComplexSubject {
  format: 'complex';
  user?: IssSubSubject;
  session?: OpaqueSubject;
}

export type SubjectId = IssSubSubject | OpaqueSubject | ComplexSubject;

/** CAEP §3.6.1: `credential_type` values; Latchkey uses password, app (TOTP) and fido2. */
export type CaepCredentialType =
  | 'password'
  | 'pin'
  | 'x509'
  | 'fido2-platform'
  | 'fido2-roaming'
  | 'fido-u2f'
  | 'verifiable-credential'
  | 'phone-voice'
  | 'phone-sms'
  | 'app';

export type CaepChangeType = 'create' | 'revoke' | 'update' | 'delete';

/**
 * The claims of one SET (SSF §4.1): `sub_id` names the subject; no `sub` (the subject is not
 * the token's), no `exp` (SETs are statements of fact, RFC 8417 §2.2); exactly one event.
 */
export interface SecurityEventClaims {
  iss: string;
  aud: string | string[];
  iat: number;
  jti: string;
  /** RFC 8417 §2.2: ties together the SETs sent about one change, across streams. */
  txn?: string;
  sub_id: SubjectId;
  events: Record<string, Record<string, unknown>>;
}

/**
 * The revocation a CAEP event asks of a verifier, or null for an event that revokes nothing.
 * `session-revoked` about one session ends that `sid`; about a user (no session), every
 * token issued to them before the event. `credential-change` ends every token issued
 * before the change. `at` is the event's time, epoch seconds.
 */
export type SignalRevocation =
  | { kind: 'session'; sid: string; sub: string | undefined; at: number }
  | { kind: 'subject'; sub: string; at: number; reason: 'session-revoked' | 'credential-change' };

/**
 * Reads what a verified SET (its claims already checked for iss, aud and type) asks of a
 * verifier. Pure; null for events that revoke nothing (verification) or a subject Latchkey
 * does not send (for another issuer's users, say).
 */
export function signalRevocation(
  claims: SecurityEventClaims,
  issuer: string,
): SignalRevocation | null {
  const entries = Object.entries(claims.events);
  if (entries.length !== 1) return null;
  const [type, event] = entries[0]!;
  const at = typeof event.event_timestamp === 'number' ? event.event_timestamp : claims.iat;
  const subject = claims.sub_id;
  const user = subject.format === 'complex' ? subject.user : subject;
  const sub = user?.format === 'iss_sub' && user.iss === issuer ? user.sub : undefined;
  if (type === CAEP_SESSION_REVOKED) {
    if (subject.format === 'complex' && subject.session?.format === 'opaque') {
      return { kind: 'session', sid: subject.session.id, sub, at };
    }
    return sub === undefined || (subject.format === 'complex' && subject.session !== undefined)
      ? null
      : { kind: 'subject', sub, at, reason: 'session-revoked' };
  }
  if (type === CAEP_CREDENTIAL_CHANGE && sub !== undefined) {
    return { kind: 'subject', sub, at, reason: 'credential-change' };
  }
  return null;
}
