import type { AuditActor, AuditDetailValue, AuditEvent } from './audit-event.js';

/** The SQL of the audit trail, beside the row shape it reads. */

export const INSERT_EVENT = `INSERT INTO audit_events
  (at, type, actor_kind, actor_id, subject, client_id, session_id, address, user_agent,
   request_id, detail)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`;

/** Oldest first, a bounded batch: a long-stopped IdP catches up without one huge delete. */
export const PRUNE_BATCH = `DELETE FROM audit_events WHERE id IN (
  SELECT id FROM audit_events WHERE at < $1 ORDER BY id LIMIT $2)`;

export interface AuditRow {
  id: string | number;
  at: Date | string;
  type: string;
  actor_kind: AuditActor['kind'];
  actor_id: string | null;
  subject: string | null;
  client_id: string | null;
  session_id: string | null;
  address: string | null;
  user_agent: string | null;
  request_id: string | null;
  detail: Record<string, AuditDetailValue> | string | null;
}

export function eventFromRow(row: AuditRow): AuditEvent {
  const actor: AuditActor =
    row.actor_kind === 'system' || row.actor_id === null
      ? { kind: 'system' }
      : { kind: row.actor_kind, id: row.actor_id };
  return {
    id: Number(row.id),
    at: row.at instanceof Date ? row.at : new Date(row.at),
    type: row.type,
    actor,
    subject: row.subject,
    client: row.client_id,
    session: row.session_id,
    address: row.address,
    userAgent: row.user_agent,
    requestId: row.request_id,
    detail:
      typeof row.detail === 'string'
        ? (JSON.parse(row.detail) as Record<string, AuditDetailValue>)
        : (row.detail ?? {}),
  };
}

/** What a listing may filter on; every field optional, all given ones must hold. */
export interface AuditFilter {
  type?: string;
  actor?: string;
  subject?: string;
  client?: string;
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
  /** Only events older than this id (the cursor of the previous page). */
  before?: number;
}

/** Newest first. Parameterised: values never travel inside the SQL text. */
export function listQuery(filter: AuditFilter, limit: number): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  if (filter.type !== undefined) add((p) => `type = ${p}`, filter.type);
  if (filter.actor !== undefined) add((p) => `actor_id = ${p}`, filter.actor);
  if (filter.subject !== undefined) add((p) => `subject = ${p}`, filter.subject);
  if (filter.client !== undefined) add((p) => `client_id = ${p}`, filter.client);
  if (filter.from !== undefined) add((p) => `at >= ${p}`, filter.from);
  if (filter.to !== undefined) add((p) => `at < ${p}`, filter.to);
  if (filter.before !== undefined) add((p) => `id < ${p}`, filter.before);
  params.push(limit);
  const sql = `SELECT * FROM audit_events ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY id DESC LIMIT $${params.length}`;
  return { sql, params };
}
