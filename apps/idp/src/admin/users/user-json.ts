import type { User } from '../../users/user.js';

/** A user as the admin API shows them: never the password hash. */
export function userJson(user: User): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    email: user.email ?? null,
    email_verified: user.emailVerified ?? false,
    name: user.name ?? null,
    roles: [...user.roles],
    state: user.state,
    created_at: user.createdAt.toISOString(),
    updated_at: user.updatedAt.toISOString(),
    password_changed_at: user.passwordChangedAt.toISOString(),
  };
}

/** The ETag of a user's representation: its row version (db/migrations/010-user-version.ts). */
export const userEtag = (user: User): string => `"v${user.version ?? 0}"`;

/**
 * The version an `If-Match` names: undefined without the header (the change applies to
 * whatever is current, field by field), null for a value that names no version of ours (which
 * can match nothing: RFC 9110 §13.1.1, a 412).
 */
export function ifMatchVersion(header: string): number | null | undefined {
  if (header === '') return undefined;
  if (header.trim() === '*') return undefined;
  const match = /^\s*"v([0-9]{1,15})"\s*$/.exec(header);
  return match ? Number(match[1]) : null;
}
