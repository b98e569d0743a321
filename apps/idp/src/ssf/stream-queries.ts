import type { Queryable } from '../db/database.js';
import type { QueuedEvent, Stream, StreamStatus } from './stream.js';

/** The `ssf_*` tables' SQL, all of it (db/migrations/005-ssf-streams.ts made them). */

interface StreamRow {
  stream_id: string;
  receiver: string;
  delivery_method: string;
  endpoint_url: string | null;
  authorization_header: string | null;
  events_requested: string;
  description: string | null;
  status: StreamStatus;
  status_reason: string | null;
  created_at: Date;
}

const STREAM_COLUMNS = `stream_id, receiver, delivery_method, endpoint_url, authorization_header,
  events_requested, description, status, status_reason, created_at`;

function toStream(row: StreamRow): Stream {
  return {
    streamId: row.stream_id,
    receiver: row.receiver,
    deliveryMethod: row.delivery_method,
    endpointUrl: row.endpoint_url,
    authorizationHeader: row.authorization_header,
    eventsRequested: JSON.parse(row.events_requested) as string[],
    description: row.description,
    status: row.status,
    statusReason: row.status_reason,
    createdAt: new Date(row.created_at),
  };
}

export async function insertStream(db: Queryable, stream: Stream): Promise<void> {
  await db.query(
    `INSERT INTO ssf_streams (${STREAM_COLUMNS}, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)`,
    [
      stream.streamId,
      stream.receiver,
      stream.deliveryMethod,
      stream.endpointUrl,
      stream.authorizationHeader,
      JSON.stringify(stream.eventsRequested),
      stream.description,
      stream.status,
      stream.statusReason,
      stream.createdAt,
    ],
  );
}

/** Writes every field a receiver may change (update and replace both end here). */
export async function updateStream(db: Queryable, stream: Stream, now: Date): Promise<void> {
  await db.query(
    `UPDATE ssf_streams SET delivery_method = $2, endpoint_url = $3, authorization_header = $4,
       events_requested = $5, description = $6, status = $7, status_reason = $8, updated_at = $9
     WHERE stream_id = $1`,
    [
      stream.streamId,
      stream.deliveryMethod,
      stream.endpointUrl,
      stream.authorizationHeader,
      JSON.stringify(stream.eventsRequested),
      stream.description,
      stream.status,
      stream.statusReason,
      now,
    ],
  );
}

export async function selectStream(db: Queryable, streamId: string): Promise<Stream | null> {
  const rows = await db.query<StreamRow>(
    `SELECT ${STREAM_COLUMNS} FROM ssf_streams WHERE stream_id = $1`,
    [streamId],
  );
  return rows[0] ? toStream(rows[0]) : null;
}

export async function selectStreamsOf(db: Queryable, receiver: string): Promise<Stream[]> {
  const rows = await db.query<StreamRow>(
    `SELECT ${STREAM_COLUMNS} FROM ssf_streams WHERE receiver = $1 ORDER BY created_at, stream_id`,
    [receiver],
  );
  return rows.map(toStream);
}

/** The streams an event may go to: every one not disabled (a paused one holds its events). */
export async function selectLiveStreams(db: Queryable): Promise<Stream[]> {
  const rows = await db.query<StreamRow>(
    `SELECT ${STREAM_COLUMNS} FROM ssf_streams WHERE status <> 'disabled'`,
  );
  return rows.map(toStream);
}

export async function deleteStream(db: Queryable, streamId: string): Promise<void> {
  await db.query('DELETE FROM ssf_streams WHERE stream_id = $1', [streamId]);
}

export async function upsertSubject(
  db: Queryable,
  streamId: string,
  subjectKey: string,
  included: boolean,
): Promise<void> {
  await db.query(
    `INSERT INTO ssf_stream_subjects (stream_id, subject_key, included) VALUES ($1, $2, $3)
     ON CONFLICT (stream_id, subject_key) DO UPDATE SET included = EXCLUDED.included`,
    [streamId, subjectKey, included],
  );
}

/** The subjects removed from each stream (with default_subjects ALL, the only ones that matter). */
export async function selectExcludedSubjects(
  db: Queryable,
  streamIds: readonly string[],
): Promise<Map<string, Set<string>>> {
  const excluded = new Map<string, Set<string>>();
  if (streamIds.length === 0) return excluded;
  const rows = await db.query<{ stream_id: string; subject_key: string }>(
    `SELECT stream_id, subject_key FROM ssf_stream_subjects
     WHERE NOT included AND stream_id = ANY($1::text[])`,
    [streamIds],
  );
  for (const row of rows) {
    const keys = excluded.get(row.stream_id) ?? new Set<string>();
    keys.add(row.subject_key);
    excluded.set(row.stream_id, keys);
  }
  return excluded;
}

export async function insertEvent(
  db: Queryable,
  event: { streamId: string; jti: string; claims: object; now: Date },
): Promise<void> {
  await db.query(
    `INSERT INTO ssf_events (stream_id, jti, claims, created_at, next_attempt_at)
     VALUES ($1, $2, $3, $4, $4)`,
    [event.streamId, event.jti, JSON.stringify(event.claims), event.now],
  );
}

/** The oldest `limit` events waiting on the stream, oldest first. */
export async function selectQueued(
  db: Queryable,
  streamId: string,
  limit: number,
): Promise<QueuedEvent[]> {
  const rows = await db.query<{ jti: string; claims: string; attempts: number }>(
    `SELECT jti, claims, attempts FROM ssf_events WHERE stream_id = $1 ORDER BY seq LIMIT $2`,
    [streamId, limit],
  );
  return rows.map((row) => ({
    jti: row.jti,
    claims: JSON.parse(row.claims) as Record<string, unknown>,
    attempts: Number(row.attempts),
  }));
}

/** Removes acknowledged events; returns how many of the jtis were still queued. */
export async function deleteEvents(
  db: Queryable,
  streamId: string,
  jtis: readonly string[],
): Promise<number> {
  if (jtis.length === 0) return 0;
  const rows = await db.query<{ jti: string }>(
    'DELETE FROM ssf_events WHERE stream_id = $1 AND jti = ANY($2::text[]) RETURNING jti',
    [streamId, jtis],
  );
  return rows.length;
}

/** Push: the events due for an attempt, oldest first, across streams. */
export async function selectDue(
  db: Queryable,
  now: Date,
  limit: number,
): Promise<Array<QueuedEvent & { streamId: string }>> {
  const rows = await db.query<{ stream_id: string; jti: string; claims: string; attempts: number }>(
    `SELECT e.stream_id, e.jti, e.claims, e.attempts FROM ssf_events e
       JOIN ssf_streams s ON s.stream_id = e.stream_id
     WHERE s.delivery_method = 'urn:ietf:rfc:8935' AND s.status = 'enabled'
       AND e.next_attempt_at <= $1
     ORDER BY e.seq LIMIT $2`,
    [now, limit],
  );
  return rows.map((row) => ({
    streamId: row.stream_id,
    jti: row.jti,
    claims: JSON.parse(row.claims) as Record<string, unknown>,
    attempts: Number(row.attempts),
  }));
}

export async function deferEvent(
  db: Queryable,
  streamId: string,
  jti: string,
  nextAttemptAt: Date,
): Promise<void> {
  await db.query(
    `UPDATE ssf_events SET attempts = attempts + 1, next_attempt_at = $3
     WHERE stream_id = $1 AND jti = $2`,
    [streamId, jti, nextAttemptAt],
  );
}

/** Drops events older than the retention: a receiver that never came back. */
export async function deleteExpiredEvents(db: Queryable, before: Date): Promise<number> {
  const rows = await db.query<{ jti: string }>(
    'DELETE FROM ssf_events WHERE created_at < $1 RETURNING jti',
    [before],
  );
  return rows.length;
}
