import type { Migration } from '../migration.js';

/**
 * Single-use account links (account-links/account-links.ts): password reset, invitation, email
 * verification. Only the SHA-256 digest of a link's 256-bit token is kept, so a copy of the
 * table hands out no usable link. One link per user (`user_id` unique): issuing a new one
 * replaces the row, which is what makes every earlier link of that user invalid. A link is
 * bound to the password version it was issued under, so any password change kills it.
 * `claimed_until` is a short lease held while a submission completes: of twenty concurrent
 * submissions exactly one takes it, and a completion cut short by an outage frees the link
 * again when the lease ends instead of leaving it spent with nothing changed.
 *
 * Users gain the state `pending`: signed up but not yet verified, or invited and without a
 * password yet. A pending user cannot log in.
 */
export const accountLinksMigration: Migration = {
  version: 2,
  name: 'account-links',
  statements: [
    `CREATE TABLE account_links (
      token_digest text PRIMARY KEY,
      user_id text NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
      purpose text NOT NULL CHECK (purpose IN ('reset', 'invite', 'verify')),
      password_version integer NOT NULL,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      claimed_until timestamptz
    )`,
    'CREATE INDEX account_links_expires_at ON account_links (expires_at)',
    'ALTER TABLE users DROP CONSTRAINT users_state_check',
    `ALTER TABLE users ADD CONSTRAINT users_state_check
      CHECK (state IN ('active', 'disabled', 'pending'))`,
  ],
};
