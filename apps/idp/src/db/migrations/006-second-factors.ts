import type { Migration } from '../migration.js';

/**
 * Second factors (mfa/): a user's TOTP authenticator and recovery codes.
 *
 * `user_totp` holds at most one authenticator per user. `secret` is the RFC 6238 key sealed
 * with AES-256-GCM under KEY_ENCRYPTION_KEY (keys/key-encryption.ts `sealSecret`), bound to
 * the user id; never the key itself. A row with `confirmed_at` NULL is an enrolment waiting
 * for its first code and counts for nothing. `last_used_step` is the RFC 6238 time step of
 * the last accepted code: a code is accepted only for a later step (an atomic
 * `UPDATE … WHERE last_used_step < $step`), so each code works once, even when two copies
 * arrive at once.
 *
 * `recovery_codes`: ten single-use codes per user, only their SHA-256 digest (80 random
 * bits each: a digest cannot be reversed by guessing). `used_at` set once, never cleared;
 * regenerating deletes the user's rows and inserts new ones.
 */
export const secondFactorsMigration: Migration = {
  version: 6,
  name: 'second-factors',
  statements: [
    `CREATE TABLE user_totp (
      user_id text PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
      secret jsonb NOT NULL,
      created_at timestamptz NOT NULL,
      confirmed_at timestamptz,
      last_used_step bigint
    )`,
    `CREATE TABLE recovery_codes (
      user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      code_digest text NOT NULL,
      created_at timestamptz NOT NULL,
      used_at timestamptz,
      PRIMARY KEY (user_id, code_digest)
    )`,
  ],
};
