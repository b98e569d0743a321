import type { AuditEvent } from '../lib/admin-types';

export interface AuditRow {
  event: AuditEvent;
  actor: string;
  subject: string | null;
}

const TONE: Record<string, string> = {
  'login.failed': 'badge-bad',
  'second_factor.failed': 'badge-bad',
  'refresh_token.reuse_detected': 'badge-bad',
  'client.authentication_failed': 'badge-bad',
  'key.revoked': 'badge-bad',
  'user.disabled': 'badge-warn',
  'session.revoked': 'badge-warn',
  'login.succeeded': 'badge-ok',
};

export function toneOf(type: string): string {
  return TONE[type] ?? '';
}

function detailText(detail: AuditEvent['detail']): string {
  if (!detail) return '';
  return Object.entries(detail)
    .map(([name, value]) => `${name}=${String(value)}`)
    .join(' ');
}

/** Audit events as table rows; the live tail renders the same row for the events it adds. */
export function AuditTableRow({ row, fresh = false }: { row: AuditRow; fresh?: boolean }) {
  const { event } = row;
  return (
    <tr className={fresh ? 'fresh' : undefined} data-testid="audit-row" data-type={event.type}>
      <td className="mono muted nowrap" title={event.at}>
        {event.at.slice(0, 19).replace('T', ' ')}
      </td>
      <td>
        <span className={`badge ${toneOf(event.type)}`}>{event.type}</span>
      </td>
      <td data-testid="audit-actor">{row.actor}</td>
      <td data-testid="audit-subject">{row.subject ?? ''}</td>
      <td className="mono">{event.client ?? ''}</td>
      <td className="mono muted">
        {[event.address, detailText(event.detail)].filter(Boolean).join(' · ')}
      </td>
    </tr>
  );
}

export function AuditTableHead() {
  return (
    <thead>
      <tr>
        <th>When (UTC)</th>
        <th>Event</th>
        <th>Actor</th>
        <th>Subject</th>
        <th>Client</th>
        <th>Details</th>
      </tr>
    </thead>
  );
}
