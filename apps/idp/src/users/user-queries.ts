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

/** Inserts unless the id, the username or the email is taken; true when it inserted. */
export async function insertUserIfAbsent(db: Queryable, user: NewUser): Promise<boolean> {
  const rows = await db.query<{ id: string }>(
    `INSERT INTO users (id, username, email, email_verified, display_name, password_hash, roles, state)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT DO NOTHING
     RETURNING id`,
    values(user),
  );
  return rows.length === 1;
}

/**
 * Creates the user, or replaces the one with this id. A new password hash moves
 * `password_version` and `password_changed_at` on; the same hash leaves them alone.
 */
export async function upsertUser(db: Queryable, user: NewUser): Promise<void> {
  await db.query(
    `INSERT INTO users (id, username, email, email_verified, display_name, password_hash, roles, state)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
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

/** True when a row was deleted. */
export async function deleteUser(db: Queryable, id: string): Promise<boolean> {
  const rows = await db.query<{ id: string }>('DELETE FROM users WHERE id = $1 RETURNING id', [id]);
  return rows.length === 1;
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
