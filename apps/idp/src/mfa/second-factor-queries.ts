import type { Queryable } from '../db/database.js';
import type { EncryptedPrivateKey } from '../keys/key-encryption.js';

/** The SQL of `user_totp` and `recovery_codes` (db/migrations/006-second-factors.ts), all of it. */

export interface TotpRow {
  secret: EncryptedPrivateKey;
  confirmed: boolean;
  lastUsedStep: number | null;
}

export async function selectTotp(db: Queryable, userId: string): Promise<TotpRow | null> {
  const rows = await db.query<{
    secret: EncryptedPrivateKey | string;
    confirmed_at: Date | null;
    last_used_step: string | number | null;
  }>('SELECT secret, confirmed_at, last_used_step FROM user_totp WHERE user_id = $1', [userId]);
  const row = rows[0];
  if (!row) return null;
  return {
    secret:
      typeof row.secret === 'string' ? (JSON.parse(row.secret) as EncryptedPrivateKey) : row.secret,
    confirmed: row.confirmed_at !== null,
    lastUsedStep: row.last_used_step === null ? null : Number(row.last_used_step),
  };
}

export async function hasConfirmedTotp(db: Queryable, userId: string): Promise<boolean> {
  const rows = await db.query(
    'SELECT 1 FROM user_totp WHERE user_id = $1 AND confirmed_at IS NOT NULL',
    [userId],
  );
  return rows.length > 0;
}

/** A new enrolment, replacing an unconfirmed one; false when a confirmed one is in place. */
export async function upsertPendingTotp(
  db: Queryable,
  userId: string,
  secret: EncryptedPrivateKey,
  at: Date,
): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO user_totp (user_id, secret, created_at) VALUES ($1, $2, $3)
     ON CONFLICT (user_id) DO UPDATE SET secret = EXCLUDED.secret, created_at = EXCLUDED.created_at
       WHERE user_totp.confirmed_at IS NULL
     RETURNING user_id`,
    [userId, JSON.stringify(secret), at],
  );
  return rows.length === 1;
}

/**
 * Records `step` as used, and confirms the enrolment when `confirm`; true only when `step`
 * is later than the last one used: of two requests with one code, one succeeds.
 */
export async function useTotpStep(
  db: Queryable,
  userId: string,
  step: number,
  options: { confirm: boolean; at: Date },
): Promise<boolean> {
  const rows = await db.query(
    `UPDATE user_totp
       SET last_used_step = $2,
           confirmed_at = CASE WHEN $3::boolean THEN $4 ELSE confirmed_at END
     WHERE user_id = $1
       AND (confirmed_at IS NOT NULL) <> $3::boolean
       AND (last_used_step IS NULL OR last_used_step < $2)
     RETURNING user_id`,
    [userId, step, options.confirm, options.at],
  );
  return rows.length === 1;
}

export async function deleteTotp(db: Queryable, userId: string): Promise<boolean> {
  const rows = await db.query('DELETE FROM user_totp WHERE user_id = $1 RETURNING user_id', [
    userId,
  ]);
  return rows.length > 0;
}

/** The digests of the user's unused recovery codes. */
export async function selectUnusedRecoveryDigests(
  db: Queryable,
  userId: string,
): Promise<string[]> {
  const rows = await db.query<{ code_digest: string }>(
    'SELECT code_digest FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL',
    [userId],
  );
  return rows.map((row) => row.code_digest);
}

/** Marks one code used; false when it was used meanwhile (two submissions of one code). */
export async function useRecoveryCode(
  db: Queryable,
  userId: string,
  digest: string,
  at: Date,
): Promise<boolean> {
  const rows = await db.query(
    `UPDATE recovery_codes SET used_at = $3
     WHERE user_id = $1 AND code_digest = $2 AND used_at IS NULL
     RETURNING user_id`,
    [userId, digest, at],
  );
  return rows.length === 1;
}

/** Replaces every recovery code of the user (in the caller's transaction). */
export async function replaceRecoveryCodes(
  db: Queryable,
  userId: string,
  digests: readonly string[],
  at: Date,
): Promise<void> {
  await db.query('DELETE FROM recovery_codes WHERE user_id = $1', [userId]);
  for (const digest of digests) {
    await db.query(
      'INSERT INTO recovery_codes (user_id, code_digest, created_at) VALUES ($1, $2, $3)',
      [userId, digest, at],
    );
  }
}

export async function deleteRecoveryCodes(db: Queryable, userId: string): Promise<number> {
  const rows = await db.query('DELETE FROM recovery_codes WHERE user_id = $1 RETURNING user_id', [
    userId,
  ]);
  return rows.length;
}

/** Every TOTP and recovery code of the user, in one transaction (`users reset-mfa`). */
export async function deleteAllSecondFactors(
  db: { transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> },
  userId: string,
): Promise<void> {
  await db.transaction(async (tx) => {
    await deleteRecoveryCodes(tx, userId);
    await deleteTotp(tx, userId);
  });
}
