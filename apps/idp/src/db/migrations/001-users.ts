import type { Migration } from '../migration.js';

/**
 * The directory of people. `username` and `email` hold the normalised forms (NFKC, trimmed,
 * lower case; users/normalise.ts), so the unique indexes make `Alice`, `alice ` and `ａｌｉｃｅ`
 * one account. `password_version` grows with every password change: what is bound to a
 * password (reset links, later) dies with it.
 */
export const usersMigration: Migration = {
  version: 1,
  name: 'users',
  statements: [
    `CREATE TABLE users (
      id text PRIMARY KEY,
      username text NOT NULL,
      email text,
      email_verified boolean NOT NULL DEFAULT false,
      display_name text,
      password_hash text NOT NULL,
      password_version integer NOT NULL DEFAULT 1,
      password_changed_at timestamptz NOT NULL DEFAULT now(),
      roles text[] NOT NULL DEFAULT '{}',
      state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'disabled')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    'CREATE UNIQUE INDEX users_username_key ON users (username)',
    'CREATE UNIQUE INDEX users_email_key ON users (email) WHERE email IS NOT NULL',
  ],
};
