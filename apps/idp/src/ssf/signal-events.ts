import {
  CAEP_CREDENTIAL_CHANGE,
  CAEP_SESSION_REVOKED,
  type CaepChangeType,
  type CaepCredentialType,
  type SubjectId,
} from '@latchkey/protocol';
import type { RevocationReason } from '../sessions/revoker.js';
import type { SessionEnd } from '../sessions/session-events.js';

/**
 * What happened, before it is addressed to any stream: one CAEP event about one subject.
 * Pure builders: the transmitter adds iss, aud, iat, jti and txn per receiver.
 */
export interface SignalEvent {
  type: string;
  subject: SubjectId;
  /** The event's own members (CAEP §2: event_timestamp, initiating_entity, ...). */
  body: Record<string, unknown>;
}

/** CAEP §2 `initiating_entity`: who caused the session to end. */
const INITIATOR: Record<RevocationReason, 'admin' | 'user' | 'policy' | 'system'> = {
  logout: 'user',
  admin: 'admin',
  refresh_token_reuse: 'policy',
  code_replay: 'policy',
  replaced_by_login: 'user',
  token_revoked: 'system',
  user_disabled: 'admin',
  user_deleted: 'admin',
  password_changed: 'user',
  signed_out_elsewhere: 'user',
  mfa_reset: 'admin',
};

/**
 * CAEP §3.1 session-revoked. One session: the complex subject {user, session} (SSF §3.2) so a
 * receiver that tracks sids ends just that one. Every session of a user: the user alone, and
 * the event time tells which tokens it covers (every one issued before it).
 */
export function sessionRevokedEvent(issuer: string, end: SessionEnd): SignalEvent {
  const user = { format: 'iss_sub' as const, iss: issuer, sub: end.sub };
  return {
    type: CAEP_SESSION_REVOKED,
    subject:
      end.scope === 'session'
        ? { format: 'complex', user, session: { format: 'opaque', id: end.sid } }
        : user,
    body: {
      // Seconds, rounded up: a token issued in the same second as a "log out everywhere" is
      // covered, as the revoker's own per-subject "not before" covers it.
      event_timestamp: end.scope === 'user' ? Math.ceil(end.at / 1000) : Math.floor(end.at / 1000),
      initiating_entity: INITIATOR[end.reason] ?? 'system',
      reason_admin: { en: end.reason },
    },
  };
}

/** CAEP §3.3 credential-change: a password, or a second factor (TOTP `app`, passkeys `fido2-*`). */
export function credentialChangeEvent(
  issuer: string,
  change: {
    sub: string;
    credentialType: CaepCredentialType;
    changeType: CaepChangeType;
    at: number;
  },
): SignalEvent {
  return {
    type: CAEP_CREDENTIAL_CHANGE,
    subject: { format: 'iss_sub', iss: issuer, sub: change.sub },
    body: {
      credential_type: change.credentialType,
      change_type: change.changeType,
      event_timestamp: Math.ceil(change.at / 1000),
      initiating_entity: 'user',
    },
  };
}
