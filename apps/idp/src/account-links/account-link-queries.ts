import type { Queryable } from '../db/database.js';
import type { LinkPurpose } from './account-links.js';

/** The `account_links` table's SQL, all of it (db/migrations/002-account-links.ts made it). */

export interface LinkRow {
  user_id: string;
  purpose: LinkPurpose;
  password_version: number;
  expires_at: Date;
}

/**
 * The user's one link, replacing any earlier one (which dies with it: "a newer link"). Expired
 * links of anyone are swept on the way, so the table holds live links only, give or take.
 */
export async function upsertLink(
  db: Queryable,
  link: {
    digest: string;
    userId: string;
    purpose: LinkPurpose;
    passwordVersion: number;
    now: Date;
    expiresAt: Date;
  },
): Promise<void> {
  await db.query('DELETE FROM account_links WHERE expires_at <= $1', [link.now]);
  await db.query(
    `INSERT INTO account_links
       (token_digest, user_id, purpose, password_version, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (user_id) DO UPDATE SET
       token_digest = EXCLUDED.token_digest,
       purpose = EXCLUDED.purpose,
       password_version = EXCLUDED.password_version,
       created_at = EXCLUDED.created_at,
       expires_at = EXCLUDED.expires_at,
       claimed_until = NULL`,
    [link.digest, link.userId, link.purpose, link.passwordVersion, link.now, link.expiresAt],
  );
}

/** The live link with this digest, claimed or not; null when none. */
export async function selectLiveLink(
  db: Queryable,
  digest: string,
  now: Date,
): Promise<LinkRow | null> {
  const rows = await db.query<LinkRow>(
    `SELECT user_id, purpose, password_version, expires_at FROM account_links
     WHERE token_digest = $1 AND expires_at > $2`,
    [digest, now],
  );
  return rows[0] ?? null;
}

/**
 * Takes the link's lease until `until`, unless another submission holds it: one statement,
 * so of concurrent claims exactly one gets the row back.
 */
export async function claimLink(
  db: Queryable,
  digest: string,
  now: Date,
  until: Date,
): Promise<LinkRow | null> {
  const rows = await db.query<LinkRow>(
    `UPDATE account_links SET claimed_until = $3
     WHERE token_digest = $1 AND expires_at > $2
       AND (claimed_until IS NULL OR claimed_until <= $2)
     RETURNING user_id, purpose, password_version, expires_at`,
    [digest, now, until],
  );
  return rows[0] ?? null;
}

/** Gives the lease back (the submission was refused before it changed anything). */
export async function releaseLink(db: Queryable, digest: string): Promise<void> {
  await db.query('UPDATE account_links SET claimed_until = NULL WHERE token_digest = $1', [digest]);
}

export async function deleteLink(db: Queryable, digest: string): Promise<void> {
  await db.query('DELETE FROM account_links WHERE token_digest = $1', [digest]);
}
