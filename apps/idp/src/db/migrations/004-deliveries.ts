import type { Migration } from '../migration.js';

/**
 * Deliveries to other services, durable, and the record of which clients took part in which
 * session (OIDC Back-Channel Logout).
 *
 * `delivery_outbox` is generic (delivery/): a row is a message of some `kind` for a `target`
 * URL, rendered afresh at each attempt from `payload`. A worker claims due rows by moving
 * `next_attempt_at` past a lease and stamping `claim`; a worker that dies mid-attempt leaves
 * the row due again once the lease is over, and only the holder of the current `claim` may
 * record an outcome. Finished rows stay (state, attempts, last outcome) as the audit trail.
 *
 * `session_participation` holds one row per (session, client) from the code the IdP issued
 * the client in that session, with the session's user and absolute expiry: a session that
 * expired silently in Redis can still be told of. `ended_at` is set in the same transaction
 * that enqueues the logout tokens, so each ending is told once.
 */
export const deliveriesMigration: Migration = {
  version: 4,
  name: 'deliveries',
  statements: [
    `CREATE TABLE delivery_outbox (
      id bigserial PRIMARY KEY,
      kind text NOT NULL,
      target text NOT NULL,
      payload jsonb NOT NULL,
      state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL,
      deadline timestamptz NOT NULL,
      claim text,
      last_outcome text,
      created_at timestamptz NOT NULL,
      finished_at timestamptz
    )`,
    `CREATE INDEX delivery_outbox_due ON delivery_outbox (next_attempt_at) WHERE state = 'pending'`,
    `CREATE TABLE session_participation (
      sid text NOT NULL,
      client_id text NOT NULL,
      sub text NOT NULL,
      session_expires_at timestamptz NOT NULL,
      joined_at timestamptz NOT NULL,
      next_check_at timestamptz NOT NULL,
      ended_at timestamptz,
      PRIMARY KEY (sid, client_id)
    )`,
    `CREATE INDEX session_participation_open_by_sub ON session_participation (sub)
      WHERE ended_at IS NULL`,
    `CREATE INDEX session_participation_open_by_check ON session_participation (next_check_at)
      WHERE ended_at IS NULL`,
  ],
};
