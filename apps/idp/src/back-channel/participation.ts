import type { Database } from '../db/database.js';
import type { SessionRepository } from '../sessions/session.js';
import { insertParticipation } from './participation-queries.js';

/**
 * The session repository, with `addClient` (called when the IdP issues a code to a client in
 * a session) also recording the participation durably in PostgreSQL. Redis keeps its set
 * (the account page reads it); the database row outlives the session's keys, so a session
 * that expires silently can still be told of (expiry-sweeper.ts). Both writes complete before
 * the code reaches the client: a client holding tokens is always on record.
 */
export function recordingParticipation(
  sessions: SessionRepository,
  deps: { database: Database; now: () => number; idleTtlMs: number },
): SessionRepository {
  return {
    ...sessions,
    async addClient(session, clientId) {
      const joinedAt = deps.now();
      await Promise.all([
        sessions.addClient(session, clientId),
        insertParticipation(deps.database, {
          sid: session.sid,
          clientId,
          sub: session.sub,
          sessionExpiresAt: session.expiresAt,
          joinedAt,
          nextCheckAt: firstPossibleEnd(session, deps.idleTtlMs),
        }),
      ]);
    },
  };
}

/** The earliest moment the session can end by itself: idle or absolute limit. */
export function firstPossibleEnd(
  session: { lastSeenAt: number; expiresAt: number },
  idleTtlMs: number,
): number {
  return Math.min(session.lastSeenAt + idleTtlMs, session.expiresAt);
}
