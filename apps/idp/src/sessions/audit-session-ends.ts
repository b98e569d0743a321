import type { SessionEndListener } from './session-events.js';
import type { AuditActor } from '../audit/audit-event.js';
import type { AuditTrail } from '../audit/audit-trail.js';

/**
 * Every ending of a session, whatever ended it, as `session.revoked` with its reason; `actor`
 * when the revoker serves one actor only (an operator's command).
 */
export function auditSessionEnds(audit: AuditTrail, actor?: AuditActor): SessionEndListener {
  return {
    async sessionEnded(end) {
      const by = end.by?.actor ?? actor;
      const request = end.by?.request;
      if (end.scope === 'session') {
        await audit.record({
          type: 'session.revoked',
          ...(by && { actor: by }),
          ...(request && { request }),
          subject: end.sub,
          session: end.sid,
          detail: { reason: end.reason },
        });
      } else {
        await audit.record({
          type: 'session.revoked',
          ...(by && { actor: by }),
          ...(request && { request }),
          subject: end.sub,
          detail: { reason: end.reason, scope: 'all_sessions', sessions: end.sids.length },
        });
      }
    },
  };
}
