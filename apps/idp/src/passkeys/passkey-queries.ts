import type { Queryable } from '../db/database.js';

/** The `passkeys` and `webauthn_user_handles` tables' SQL, all of it (migration 007). */

export interface PasskeyRow {
  credential_id: string;
  user_id: string;
  public_key: string;
  counter: string | number;
  transports: string[];
  backup_eligible: boolean;
  backed_up: boolean;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
}

const COLUMNS = `credential_id, user_id, public_key, counter, transports, backup_eligible,
  backed_up, name, created_at, last_used_at`;

export async function selectPasskeysOfUser(db: Queryable, userId: string): Promise<PasskeyRow[]> {
  return db.query<PasskeyRow>(
    `SELECT ${COLUMNS} FROM passkeys WHERE user_id = $1 ORDER BY created_at, credential_id`,
    [userId],
  );
}

export async function selectPasskey(
  db: Queryable,
  credentialId: string,
): Promise<PasskeyRow | null> {
  const rows = await db.query<PasskeyRow>(
    `SELECT ${COLUMNS} FROM passkeys WHERE credential_id = $1`,
    [credentialId],
  );
  return rows[0] ?? null;
}

/** False when the credential id is registered already (to this user or another). */
export async function insertPasskey(
  db: Queryable,
  row: Omit<PasskeyRow, 'last_used_at'>,
): Promise<boolean> {
  const rows = await db.query<{ credential_id: string }>(
    `INSERT INTO passkeys (credential_id, user_id, public_key, counter, transports,
       backup_eligible, backed_up, name, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (credential_id) DO NOTHING
     RETURNING credential_id`,
    [
      row.credential_id,
      row.user_id,
      row.public_key,
      String(row.counter),
      row.transports,
      row.backup_eligible,
      row.backed_up,
      row.name,
      row.created_at,
    ],
  );
  return rows.length === 1;
}

/**
 * Records a sign-in, only if the counter is still the one the check was made against: of two
 * assertions racing with the same counter value, one wins and the other is refused, as a
 * replayed counter must be.
 */
export async function updateAfterUse(
  db: Queryable,
  use: { credentialId: string; seenCounter: number; counter: number; backedUp: boolean; at: Date },
): Promise<boolean> {
  const rows = await db.query<{ credential_id: string }>(
    `UPDATE passkeys SET counter = $3, backed_up = $4, last_used_at = $5
     WHERE credential_id = $1 AND counter = $2
     RETURNING credential_id`,
    [use.credentialId, String(use.seenCounter), String(use.counter), use.backedUp, use.at],
  );
  return rows.length === 1;
}

export async function renamePasskey(
  db: Queryable,
  userId: string,
  credentialId: string,
  name: string,
): Promise<boolean> {
  const rows = await db.query<{ credential_id: string }>(
    `UPDATE passkeys SET name = $3 WHERE user_id = $1 AND credential_id = $2
     RETURNING credential_id`,
    [userId, credentialId, name],
  );
  return rows.length === 1;
}

export async function deletePasskey(
  db: Queryable,
  userId: string,
  credentialId: string,
): Promise<boolean> {
  const rows = await db.query<{ credential_id: string }>(
    'DELETE FROM passkeys WHERE user_id = $1 AND credential_id = $2 RETURNING credential_id',
    [userId, credentialId],
  );
  return rows.length === 1;
}

export async function deletePasskeysOfUser(db: Queryable, userId: string): Promise<number> {
  const rows = await db.query<{ credential_id: string }>(
    'DELETE FROM passkeys WHERE user_id = $1 RETURNING credential_id',
    [userId],
  );
  return rows.length;
}

export async function countPasskeysOfUser(db: Queryable, userId: string): Promise<number> {
  const rows = await db.query<{ n: string | number }>(
    'SELECT count(*) AS n FROM passkeys WHERE user_id = $1',
    [userId],
  );
  return Number(rows[0]?.n ?? 0);
}

export async function selectUserHandle(db: Queryable, userId: string): Promise<string | null> {
  const rows = await db.query<{ handle: string }>(
    'SELECT handle FROM webauthn_user_handles WHERE user_id = $1',
    [userId],
  );
  return rows[0]?.handle ?? null;
}

/** Keeps the handle already there: two enrolments racing end with one handle. */
export async function insertUserHandleIfAbsent(
  db: Queryable,
  userId: string,
  handle: string,
): Promise<void> {
  await db.query(
    `INSERT INTO webauthn_user_handles (user_id, handle) VALUES ($1, $2)
     ON CONFLICT (user_id) DO NOTHING`,
    [userId, handle],
  );
}
