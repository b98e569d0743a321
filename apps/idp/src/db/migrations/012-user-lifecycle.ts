import type { Migration } from '../migration.js';

/**
 * Two facts the directory lacked, both about a user's life ending.
 *
 * `deleted_users` remembers whom an operator deleted (admin API, `users delete`), by id and
 * by the SHA-256 (hex) of the normalised username, not the name itself: a deleted person's
 * name (often their email address) is not kept in the clear after they are gone. USERS_FILE
 * is imported at every start and creates whoever is missing, so without this a departed
 * employee removed by an operator came back at the next start, with the file's password. The import skips anyone listed here; an operator creating
 * that user again explicitly takes them off the list.
 *
 * `users.signup_expires_at` is set on a self sign-up's `pending` account only: the moment
 * its verification link stops working. Past it the account counts as absent (a new sign-up
 * may take its username and email) and is deleted. Invited accounts keep it null: an
 * operator made them, and `users reset-link` can give them a new link at any time.
 */
export const userLifecycleMigration: Migration = {
  version: 12,
  name: 'user-lifecycle',
  statements: [
    `CREATE TABLE deleted_users (
      id text PRIMARY KEY,
      username_sha256 text NOT NULL,
      deleted_at timestamptz NOT NULL DEFAULT now()
    )`,
    'CREATE INDEX deleted_users_username_sha256 ON deleted_users (username_sha256)',
    'ALTER TABLE users ADD COLUMN signup_expires_at timestamptz',
    `CREATE INDEX users_signup_expires_at ON users (signup_expires_at)
      WHERE state = 'pending' AND signup_expires_at IS NOT NULL`,
  ],
};
