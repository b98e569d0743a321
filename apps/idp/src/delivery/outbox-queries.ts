import type { Queryable } from '../db/database.js';

/** The SQL of `delivery_outbox` (migration 004), in one place. Times travel as Date. */

export interface NewOutboxRow {
  kind: string;
  target: string;
  payload: unknown;
  nextAttemptAt: number;
  deadline: number;
  createdAt: number;
}

export interface ClaimedRow {
  id: string;
  kind: string;
  target: string;
  payload: unknown;
  /** Including the one just claimed. */
  attempts: number;
  deadline: number;
}

export async function insertOutboxRows(
  db: Queryable,
  rows: readonly NewOutboxRow[],
): Promise<string[]> {
  const ids: string[] = [];
  // One statement per row: PGlite and pg agree on it, and a logout rarely fans out far.
  for (const row of rows) {
    const [inserted] = await db.query<{ id: string }>(
      `INSERT INTO delivery_outbox (kind, target, payload, next_attempt_at, deadline, created_at)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id::text AS id`,
      [
        row.kind,
        row.target,
        JSON.stringify(row.payload),
        new Date(row.nextAttemptAt),
        new Date(row.deadline),
        new Date(row.createdAt),
      ],
    );
    ids.push(inserted!.id);
  }
  return ids;
}

/**
 * Takes up to `limit` due rows for this worker: each gets `claim` and a `next_attempt_at` at
 * the end of the lease, so no other worker takes it meanwhile, and a dead worker's row is due
 * again after it. SKIP LOCKED lets concurrent workers take different rows without waiting.
 */
export async function claimDueRows(
  db: Queryable,
  input: { now: number; leaseUntil: number; claim: string; limit: number },
): Promise<ClaimedRow[]> {
  const rows = await db.query<{
    id: string;
    kind: string;
    target: string;
    payload: unknown;
    attempts: number;
    deadline: Date;
  }>(
    `UPDATE delivery_outbox
        SET attempts = attempts + 1, claim = $3, next_attempt_at = $2
      WHERE id IN (
        SELECT id FROM delivery_outbox
         WHERE state = 'pending' AND next_attempt_at <= $1
         ORDER BY next_attempt_at
         LIMIT $4
         FOR UPDATE SKIP LOCKED)
      RETURNING id::text AS id, kind, target, payload, attempts, deadline`,
    [new Date(input.now), new Date(input.leaseUntil), input.claim, input.limit],
  );
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    target: row.target,
    payload: typeof row.payload === 'string' ? (JSON.parse(row.payload) as unknown) : row.payload,
    attempts: Number(row.attempts),
    deadline: new Date(row.deadline).getTime(),
  }));
}

/**
 * Records how a claimed attempt ended; false when the claim was lost (the lease ran out and
 * another worker took the row), in which case the other worker's outcome stands.
 */
export async function recordOutcome(
  db: Queryable,
  input: {
    id: string;
    claim: string;
    outcome: string;
    now: number;
    /** Null: finished (`state`); a time: pending until then. */
    retryAt: number | null;
    state: 'pending' | 'delivered' | 'failed';
  },
): Promise<boolean> {
  const finished = input.state !== 'pending';
  const rows = await db.query<{ id: string }>(
    `UPDATE delivery_outbox
        SET state = $3, last_outcome = $4, claim = NULL,
            next_attempt_at = COALESCE($5, next_attempt_at),
            finished_at = CASE WHEN $6 THEN $7::timestamptz ELSE NULL END
      WHERE id = $1 AND claim = $2
      RETURNING id::text AS id`,
    [
      input.id,
      input.claim,
      input.state,
      input.outcome,
      input.retryAt === null ? null : new Date(input.retryAt),
      finished,
      new Date(input.now),
    ],
  );
  return rows.length === 1;
}

export interface OutboxRowView {
  id: string;
  kind: string;
  target: string;
  payload: unknown;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: number;
  lastOutcome: string | null;
}

/** Rows of one kind, oldest first: for the operator and the tests. */
export async function listOutboxRows(db: Queryable, kind?: string): Promise<OutboxRowView[]> {
  const rows = await db.query<{
    id: string;
    kind: string;
    target: string;
    payload: unknown;
    state: OutboxRowView['state'];
    attempts: number;
    next_attempt_at: Date;
    last_outcome: string | null;
  }>(
    `SELECT id::text AS id, kind, target, payload, state, attempts, next_attempt_at, last_outcome
       FROM delivery_outbox WHERE $1::text IS NULL OR kind = $1 ORDER BY id`,
    [kind ?? null],
  );
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    target: row.target,
    payload: typeof row.payload === 'string' ? (JSON.parse(row.payload) as unknown) : row.payload,
    state: row.state,
    attempts: Number(row.attempts),
    nextAttemptAt: new Date(row.next_attempt_at).getTime(),
    lastOutcome: row.last_outcome,
  }));
}

/** Forgets finished rows older than `before`: the audit trail is kept for a while, not forever. */
export async function pruneFinishedRows(db: Queryable, before: number): Promise<number> {
  const rows = await db.query<{ id: string }>(
    `DELETE FROM delivery_outbox WHERE state <> 'pending' AND finished_at < $1
     RETURNING id::text AS id`,
    [new Date(before)],
  );
  return rows.length;
}
