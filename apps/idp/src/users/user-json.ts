import type { User } from './user.js';

/**
 * A user as scripts and the admin API see them (the `users` command's `--json`,
 * `/admin/v1/users`): never the password hash.
 */
export interface UserJson {
  id: string;
  username: string;
  email: string | null;
  email_verified: boolean;
  name: string | null;
  roles: string[];
  state: string;
  password_version: number;
  password_changed_at: string;
  created_at: string;
  updated_at: string;
}

export function userJson(user: User): UserJson {
  return {
    id: user.id,
    username: user.username,
    email: user.email ?? null,
    email_verified: user.emailVerified ?? false,
    name: user.name ?? null,
    roles: [...user.roles],
    state: user.state,
    password_version: user.passwordVersion,
    password_changed_at: user.passwordChangedAt.toISOString(),
    created_at: user.createdAt.toISOString(),
    updated_at: user.updatedAt.toISOString(),
  };
}
