import type { Queryable } from '../db/database.js';
import type { NewUser, ProfileFields, User, UserState } from './user.js';

/** The `users` table's SQL, all of it (db/migrations/001-users.ts made the table). */

interface UserRow {
  id: string;
  username: string;
  email: string | null;
  email_verified: boolean;
  display_name: string | null;
  password_hash: string;
  password_version: number;
  password_changed_at: Date;
  roles: string[];
  state: UserState;
  created_at: Date;
  updated_at: Date;
  row_version: string | number;
}

/**
 * `deleted_users` keeps a normalised username's SHA-256 (hex), not the name: computed in SQL
 * so that the statement deleting a user can record it (db/migrations/012-user-lifecycle.ts).
 */
const nameDigest = (expression: string) =>
  `encode(sha256(convert_to(${expression}, 'UTF8')), 'hex')`;

/** What an insert writes, in the order of `values`. */
const INSERT_COLUMNS = `id, username, email, email_verified, display_name, password_hash, roles,
  state, signup_expires_at`;

const COLUMNS = `id, username, email, email_verified, display_name, password_hash,
  password_version, password_changed_at, roles, state, created_at, updated_at, row_version`;

export async function selectUserById(db: Queryable, id: string): Promise<User | null> {
  const rows = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
  return rows[0] ? toUser(rows[0]) : null;
}

export async function selectUserByUsername(db: Queryable, username: string): Promise<User | null> {
  const rows = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE username = $1`, [
    username,
  ]);
  return rows[0] ? toUser(rows[0]) : null;
}

export async function selectUserByEmail(db: Queryable, email: string): Promise<User | null> {
  const rows = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE email = $1`, [email]);
  return rows[0] ? toUser(rows[0]) : null;
}

/**
 * Inserts unless the id, the username or the email is taken; true when it inserted. With
 * `forgetDeletion` (an operator creating the user on purpose) the same statement takes the
 * new user's id and username off `deleted_users`.
 */
export async function insertUserIfAbsent(
  db: Queryable,
  user: NewUser,
  options: { forgetDeletion?: boolean } = {},
): Promise<boolean> {
  const insert = `INSERT INTO users (${INSERT_COLUMNS})
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT DO NOTHING
     RETURNING id, username`;
  const rows = await db.query<{ id: string }>(
    options.forgetDeletion === true
      ? `WITH created AS (${insert}),
           forgotten AS (
             DELETE FROM deleted_users d USING created c
             WHERE d.id = c.id OR d.username_sha256 = ${nameDigest('c.username')})
         SELECT id FROM created`
      : insert,
    values(user),
  );
  return rows.length === 1;
}

/**
 * The USERS_FILE import of one user: inserts unless the id, username or email is taken, or
 * an operator deleted someone with this id or username (`deleted_users`), in one statement.
 */
export async function insertSeedUser(
  db: Queryable,
  user: NewUser,
): Promise<'created' | 'exists' | 'kept_deleted'> {
  const rows = await db.query<{ id: string }>(
    `INSERT INTO users (${INSERT_COLUMNS})
     SELECT $1::text, $2::text, $3::text, $4::boolean, $5::text, $6::text, $7::text[], $8::text,
       $9::timestamptz
     WHERE NOT EXISTS (
       SELECT 1 FROM deleted_users WHERE id = $1 OR username_sha256 = ${nameDigest('$2::text')})
     ON CONFLICT DO NOTHING
     RETURNING id`,
    values(user),
  );
  if (rows.length === 1) return 'created';
  const deleted = await db.query<{ id: string }>(
    `SELECT id FROM deleted_users
     WHERE id = $1 OR username_sha256 = ${nameDigest('$2::text')} LIMIT 1`,
    [user.id, user.username],
  );
  return deleted.length === 1 ? 'kept_deleted' : 'exists';
}

/**
 * Creates the user, or replaces the one with this id. A new password hash moves
 * `password_version` and `password_changed_at` on; the same hash leaves them alone.
 */
export async function upsertUser(db: Queryable, user: NewUser): Promise<void> {
  await db.query(
    `INSERT INTO users (${INSERT_COLUMNS})
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (id) DO UPDATE SET
       username = EXCLUDED.username,
       email = EXCLUDED.email,
       email_verified = EXCLUDED.email_verified,
       display_name = EXCLUDED.display_name,
       password_version = users.password_version
         + CASE WHEN users.password_hash = EXCLUDED.password_hash THEN 0 ELSE 1 END,
       password_changed_at = CASE WHEN users.password_hash = EXCLUDED.password_hash
         THEN users.password_changed_at ELSE now() END,
       password_hash = EXCLUDED.password_hash,
       roles = EXCLUDED.roles,
       state = EXCLUDED.state,
       signup_expires_at = EXCLUDED.signup_expires_at,
       updated_at = now()`,
    values(user),
  );
}

/** One page of users in username order, after `after` (exclusive), matching `search`. */
export async function selectUsersPage(
  db: Queryable,
  page: { after: string | null; limit: number; search: string | null },
): Promise<User[]> {
  const rows = await db.query<UserRow>(
    `SELECT ${COLUMNS} FROM users
     WHERE ($1::text IS NULL OR username > $1)
       AND ($2::text IS NULL
         OR username LIKE $2 ESCAPE '\\'
         OR email LIKE $2 ESCAPE '\\'
         OR lower(display_name) LIKE $2 ESCAPE '\\')
     ORDER BY username
     LIMIT $3`,
    [page.after, page.search === null ? null : `%${escapeLike(page.search)}%`, page.limit],
  );
  return rows.map(toUser);
}

/** LIKE's wildcards in a search are searched for, not obeyed. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/** True when the user exists (and now has `state`). */
export async function updateUserState(
  db: Queryable,
  id: string,
  state: UserState,
): Promise<boolean> {
  const rows = await db.query<{ id: string }>(
    'UPDATE users SET state = $2, updated_at = now() WHERE id = $1 RETURNING id',
    [id, state],
  );
  return rows.length === 1;
}

/** From `pending` only; with `signupValidAt`, not a self sign-up whose lifetime ended by then. */
export async function activatePendingUser(
  db: Queryable,
  id: string,
  signupValidAt: Date | null,
): Promise<boolean> {
  // A reset link needs no expiry check: a sign-up sweep (account-links/expired-signups.ts)
  // deletes the user, and the link with it.
  const rows = await db.query<{ id: string }>(
    `UPDATE users SET state = 'active', email_verified = true, signup_expires_at = NULL,
       updated_at = now()
     WHERE id = $1 AND state = 'pending'
       AND ($2::timestamptz IS NULL OR signup_expires_at IS NULL OR signup_expires_at > $2)
     RETURNING id`,
    [id, signupValidAt],
  );
  return rows.length === 1;
}

export async function setEmailVerified(db: Queryable, id: string): Promise<void> {
  await db.query(
    `UPDATE users SET email_verified = true, updated_at = now() WHERE id = $1 AND NOT email_verified`,
    [id],
  );
}

/**
 * A new password hash, moving `password_version` on in the same statement (what is bound to
 * the old password dies with it, even under concurrent changes). The new version, or null
 * when there is no such user.
 */
export async function updatePasswordHash(
  db: Queryable,
  id: string,
  passwordHash: string,
): Promise<number | null> {
  const rows = await db.query<{ password_version: number }>(
    `UPDATE users SET password_hash = $2, password_version = password_version + 1,
       password_changed_at = now(), updated_at = now()
     WHERE id = $1 RETURNING password_version`,
    [id, passwordHash],
  );
  return rows[0] ? Number(rows[0].password_version) : null;
}

/** True when the user exists (and now has `roles`). */
export async function updateRoles(
  db: Queryable,
  id: string,
  roles: readonly string[],
): Promise<boolean> {
  const rows = await db.query<{ id: string }>(
    'UPDATE users SET roles = $2, updated_at = now() WHERE id = $1 RETURNING id',
    [id, [...roles]],
  );
  return rows.length === 1;
}

/**
 * Changes the given profile fields (and nothing else) in one statement; with `ifVersion`,
 * only while the row is still at that version. The user after the change, or why not.
 */
export async function updateProfileFields(
  db: Queryable,
  id: string,
  changes: ProfileFields,
  ifVersion: number | undefined,
): Promise<User | 'not_found' | 'version_mismatch'> {
  const sets: string[] = [];
  const params: unknown[] = [id];
  const set = (column: string, value: unknown) => {
    params.push(value);
    sets.push(`${column} = $${params.length}`);
  };
  if (changes.name !== undefined) set('display_name', changes.name);
  if (changes.email !== undefined) set('email', changes.email);
  if (changes.emailVerified !== undefined) set('email_verified', changes.emailVerified);
  if (changes.roles !== undefined) set('roles', [...changes.roles]);
  sets.push('updated_at = now()');
  let where = 'id = $1';
  if (ifVersion !== undefined) {
    params.push(ifVersion);
    where += ` AND row_version = $${params.length}`;
  }
  const rows = await db.query<UserRow>(
    `UPDATE users SET ${sets.join(', ')} WHERE ${where} RETURNING ${COLUMNS}`,
    params,
  );
  if (rows[0]) return toUser(rows[0]);
  const exists = await db.query<{ id: string }>('SELECT id FROM users WHERE id = $1', [id]);
  return exists.length === 0 ? 'not_found' : 'version_mismatch';
}

/**
 * True when a row was deleted. The same statement remembers the deletion (id and username)
 * in `deleted_users`, so that the USERS_FILE import never brings the user back.
 */
export async function deleteUser(db: Queryable, id: string): Promise<boolean> {
  const rows = await db.query<{ id: string }>(
    `WITH gone AS (DELETE FROM users WHERE id = $1 RETURNING id, username)
     INSERT INTO deleted_users (id, username_sha256)
     SELECT id, ${nameDigest('username')} FROM gone
     ON CONFLICT (id) DO UPDATE SET
       username_sha256 = EXCLUDED.username_sha256, deleted_at = now()
     RETURNING id`,
    [id],
  );
  return rows.length === 1;
}

/**
 * Deletes self sign-ups still `pending` at `now` past their `signup_expires_at` (their
 * verification link is dead too: its row goes with the user), at most `limit` per call so
 * one call stays short; not remembered as deletions (nobody chose to remove them). Returns
 * the ids deleted.
 */
export async function deleteExpiredSignups(
  db: Queryable,
  now: Date,
  limit: number,
): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    // A CTE, evaluated once: as an `IN (...)` subquery it may run again per row, and with
    // FOR UPDATE each run skips the rows this statement deleted, so LIMIT would not bound it.
    `WITH doomed AS (
       SELECT id FROM users
       WHERE state = 'pending' AND signup_expires_at IS NOT NULL AND signup_expires_at <= $1
       ORDER BY signup_expires_at
       LIMIT $2
       FOR UPDATE SKIP LOCKED)
     DELETE FROM users USING doomed WHERE users.id = doomed.id
     RETURNING users.id`,
    [now, limit],
  );
  return rows.map((row) => row.id);
}

function values(user: NewUser): unknown[] {
  return [
    user.id,
    user.username,
    user.email ?? null,
    user.emailVerified ?? false,
    user.name ?? null,
    user.passwordHash,
    [...user.roles],
    user.state ?? 'active',
    user.signupExpiresAt ?? null,
  ];
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    passwordHash: row.password_hash,
    roles: row.roles,
    ...(row.display_name !== null && { name: row.display_name }),
    ...(row.email !== null && { email: row.email }),
    emailVerified: row.email_verified,
    state: row.state,
    passwordVersion: Number(row.password_version),
    passwordChangedAt: new Date(row.password_changed_at),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    version: Number(row.row_version),
  };
}
