import 'server-only';
import type { AuditRow } from '../components/audit-table';
import type { AuditEvent } from './admin-types';
import { actorLabel, actorNames, userIdsIn } from './admin-queries';

/** Events with their actors and subjects by username where they are users. */
export async function auditRows(token: string, events: AuditEvent[]): Promise<AuditRow[]> {
  const names = await actorNames(token, userIdsIn(events));
  return events.map((event) => ({
    event,
    actor: actorLabel(event.actor, names),
    subject: event.subject === null ? null : (names.get(event.subject) ?? event.subject),
  }));
}
