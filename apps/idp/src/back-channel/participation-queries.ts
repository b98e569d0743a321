import type { Queryable } from '../db/database.js';

/** The SQL of `session_participation` (migration 004), in one place. */

export interface Participation {
  sid: string;
  clientId: string;
  sub: string;
}

/**
 * Records that the session issued a code to the client; a second code changes nothing.
 * `nextCheckAt` is when the expiry sweeper should first look whether the session still lives.
 */
export async function insertParticipation(
  db: Queryable,
  row: Participation & { sessionExpiresAt: number; joinedAt: number; nextCheckAt: number },
): Promise<void> {
  await db.query(
    `INSERT INTO session_participation
       (sid, client_id, sub, session_expires_at, joined_at, next_check_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (sid, client_id) DO NOTHING`,
    [
      row.sid,
      row.clientId,
      row.sub,
      new Date(row.sessionExpiresAt),
      new Date(row.joinedAt),
      new Date(row.nextCheckAt),
    ],
  );
}

type EndedRow = { sid: string; client_id: string; sub: string };
const toParticipation = (row: EndedRow): Participation => ({
  sid: row.sid,
  clientId: row.client_id,
  sub: row.sub,
});

/**
 * Marks the session's participations ended and returns those that were still open: of two
 * callers ending the same session (the revoker's listener, the expiry sweeper), exactly one
 * gets the rows, so each client is told once.
 */
export async function endSession(
  db: Queryable,
  sid: string,
  now: number,
): Promise<Participation[]> {
  const rows = await db.query<EndedRow>(
    `UPDATE session_participation SET ended_at = $2
      WHERE sid = $1 AND ended_at IS NULL
      RETURNING sid, client_id, sub`,
    [sid, new Date(now)],
  );
  return rows.map(toParticipation);
}

/** The same for every session of a user, including those that expired without being noticed. */
export async function endUser(db: Queryable, sub: string, now: number): Promise<Participation[]> {
  const rows = await db.query<EndedRow>(
    `UPDATE session_participation SET ended_at = $2
      WHERE sub = $1 AND ended_at IS NULL
      RETURNING sid, client_id, sub`,
    [sub, new Date(now)],
  );
  return rows.map(toParticipation);
}

/** Sessions with open participations due for a look (has it ended silently?). */
export async function sessionsDueForCheck(
  db: Queryable,
  now: number,
  limit: number,
): Promise<string[]> {
  const rows = await db.query<{ sid: string }>(
    `SELECT DISTINCT sid FROM session_participation
      WHERE ended_at IS NULL AND next_check_at <= $1
      LIMIT $2`,
    [new Date(now), limit],
  );
  return rows.map((row) => row.sid);
}

/** The session still lives: look again when it could next have expired. */
export async function postponeCheck(db: Queryable, sid: string, at: number): Promise<void> {
  await db.query(
    `UPDATE session_participation SET next_check_at = $2 WHERE sid = $1 AND ended_at IS NULL`,
    [sid, new Date(at)],
  );
}

/** Forgets ended participations older than `before`. */
export async function pruneEnded(db: Queryable, before: number): Promise<number> {
  const rows = await db.query<{ sid: string }>(
    `DELETE FROM session_participation WHERE ended_at < $1 RETURNING sid`,
    [new Date(before)],
  );
  return rows.length;
}
