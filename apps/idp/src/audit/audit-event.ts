/**
 * What the audit trail records: who did what to whom, from where, and what came of it. The
 * types below are the ones the IdP writes; the trail itself accepts any dotted name, so that
 * a new event needs no migration.
 */
export const AUDIT_EVENT_TYPES = [
  'login.succeeded',
  'login.failed',
  'second_factor.succeeded',
  'second_factor.failed',
  'password_reset.requested',
  'password_reset.completed',
  'session.created',
  'session.revoked',
  'refresh_token.reuse_detected',
  'client.authentication_failed',
  'client.registered',
  'client.updated',
  'client.secret_rotated',
  'client.deleted',
  'grant.refused',
  'token.revoked',
  'device.approved',
  'device.denied',
  'consent.granted',
  'consent.denied',
  'consent.revoked',
  'key.rotated',
  'key.revoked',
  'user.created',
  'user.disabled',
  'user.enabled',
  'user.deleted',
  'user.password_changed',
  'user.roles_changed',
  'user.second_factors_reset',
  'user.updated',
  'user.reset_link_issued',
  'delivery.delivered',
  'delivery.retry_scheduled',
  'delivery.failed',
] as const;

export type KnownAuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** Lower-case words joined by dots: `login.failed`, `back_channel_logout.delivered`. */
export const AUDIT_EVENT_TYPE = /^[a-z][a-z_]{0,39}(\.[a-z][a-z_]{0,39}){1,3}$/;

/**
 * Who acted: a user (in a browser), a client (with its credentials), an operator (a command
 * on the IdP's host), or the IdP itself (expiry, pruning, rotation on schedule).
 */
export type AuditActor =
  | { kind: 'user'; id: string }
  | { kind: 'client'; id: string }
  | { kind: 'operator'; id: string }
  | { kind: 'system' };

/** Where a request came from, read at the edge (audit/request-facts.ts). */
export interface RequestFacts {
  readonly address?: string | undefined;
  readonly userAgent?: string | undefined;
  readonly requestId?: string | undefined;
}

/** A value in `detail`: short facts, never an object that could smuggle a token in. */
export type AuditDetailValue = string | number | boolean | null;

export interface AuditEventInput {
  type: KnownAuditEventType | (string & {});
  /** Default: the IdP itself. */
  actor?: AuditActor;
  /** The user the event is about. */
  subject?: string | undefined;
  client?: string | undefined;
  /** The session's `sid`: public (every token carries it), not a credential. */
  session?: string | undefined;
  request?: RequestFacts | undefined;
  /** Why, and other facts: `reason`, `error`, `grant_type`, `kid`. Never a secret. */
  detail?: Readonly<Record<string, AuditDetailValue>>;
}

export interface AuditEvent {
  /** Increasing: the order events were written in, and the cursor of a listing. */
  readonly id: number;
  readonly at: Date;
  readonly type: string;
  readonly actor: AuditActor;
  readonly subject: string | null;
  readonly client: string | null;
  readonly session: string | null;
  readonly address: string | null;
  readonly userAgent: string | null;
  readonly requestId: string | null;
  readonly detail: Readonly<Record<string, AuditDetailValue>>;
}

/**
 * Names that only a secret would go by. A detail under one of them is a programming error;
 * it is replaced, not written, so that no mistake puts a password or a token into the trail.
 */
const SECRET_NAME = /pass(word)?|secret|token|credential|verifier|assertion|otp|code|cookie/i;
export const REDACTED = '[redacted]';

/** Longest text kept of any one value: the trail records facts, not payloads. */
export const MAX_DETAIL_TEXT = 500;

export function safeDetail(
  detail: Readonly<Record<string, AuditDetailValue>> | undefined,
): Record<string, AuditDetailValue> {
  const out: Record<string, AuditDetailValue> = {};
  for (const [name, value] of Object.entries(detail ?? {})) {
    if (SECRET_NAME.test(name)) out[name] = REDACTED;
    else out[name] = typeof value === 'string' ? value.slice(0, MAX_DETAIL_TEXT) : value;
  }
  return out;
}
