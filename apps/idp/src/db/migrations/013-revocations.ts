import type { Migration } from '../migration.js';

/**
 * Revocations of sessions and subjects, durably (revocations/revocation-ledger.ts). Redis
 * holds the set every SDK loads, but a Redis restored from a snapshot taken before a logout,
 * or come back empty, has lost what happened since; this table is what puts it back.
 *
 * `member`: the revocation as the protocol spells it in the revoked set (`sid:…`,
 * `sub:NOT_BEFORE:…`), so the same revocation recorded twice is one row. `seq` grows with
 * every write (a repeat takes a new one), so an instance reads only what is new since it last
 * looked. `recorded_at` is the database's clock: the delta read looks a little back in it, to
 * catch a row whose `seq` was taken before a neighbour's but committed after it.
 * `expires_at` is the protocol's (when no token the revocation applies to can still be alive:
 * what the Redis set keeps); `keep_until` is at least as late, also covering the revoked
 * session's own life (a session record in an old snapshot outlives its tokens). A row is
 * deleted after `keep_until`.
 */
export const revocationsMigration: Migration = {
  version: 13,
  name: 'revocations',
  statements: [
    `CREATE TABLE revocations (
      member text PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('session', 'subject')),
      expires_at timestamptz NOT NULL,
      keep_until timestamptz NOT NULL,
      revoked_at timestamptz NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      seq bigserial NOT NULL UNIQUE
    )`,
    'CREATE INDEX revocations_keep_until ON revocations (keep_until)',
    'CREATE INDEX revocations_recorded_at ON revocations (recorded_at)',
  ],
};
