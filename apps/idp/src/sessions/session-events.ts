import type { AuditActor, RequestFacts } from '../audit/audit-event.js';
import type { RevocationReason } from './revoker.js';

/** Who ended it, when someone did (an admin): for the audit trail. */
export interface EndedBy {
  readonly actor: AuditActor;
  readonly request?: RequestFacts | undefined;
}

/**
 * A session, or every session of a user, has ended. The revoker has already told the services
 * that read Redis; a listener tells the others (back-channel logout, Shared Signals).
 */
export type SessionEnd = (
  | { scope: 'session'; sid: string; sub: string; reason: RevocationReason; at: number }
  /**
   * Every session of the user, and every token issued to them until `at`. `sids` are the
   * sessions that were live; a listener that knows of others (expired ones) may add them.
   */
  | { scope: 'user'; sub: string; sids: readonly string[]; reason: RevocationReason; at: number }
) & { by?: EndedBy | undefined };

/**
 * Told after the revocation is recorded and published, and awaited: a listener that must not
 * lose the event (a durable outbox) writes it before resolving, and a failure reaches the
 * caller, who may call again (revoking twice is harmless).
 */
export interface SessionEndListener {
  sessionEnded(end: SessionEnd): Promise<void>;
}

export async function tellListeners(
  listeners: readonly SessionEndListener[],
  end: SessionEnd,
): Promise<void> {
  for (const listener of listeners) await listener.sessionEnded(end);
}
