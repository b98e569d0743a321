import type { Migration } from '../migration.js';

/**
 * A row version for users: the ETag of the admin API's user resource, so that an update made
 * with `If-Match` applies only to the version it was made from (two admins editing one user:
 * the second is told, nothing is silently overwritten). Moved on by a trigger, so that every
 * write, by whichever query, counts, and no query can forget it.
 */
export const userVersionMigration: Migration = {
  version: 10,
  name: 'user-version',
  statements: [
    'ALTER TABLE users ADD COLUMN row_version bigint NOT NULL DEFAULT 1',
    `CREATE FUNCTION users_next_row_version() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       NEW.row_version := OLD.row_version + 1;
       RETURN NEW;
     END $$`,
    `CREATE TRIGGER users_row_version BEFORE UPDATE ON users
     FOR EACH ROW EXECUTE FUNCTION users_next_row_version()`,
  ],
};
