import type { Migration } from '../migration.js';

/**
 * Consent for third-party clients (consent/).
 *
 * `clients.first_party`: the operator's own applications (default, and every existing row)
 * never show a consent page; `false` marks a third party.
 *
 * `consent_grants`: what a user allowed a third-party client, one row per user and client
 * holding every scope allowed so far (a request for scopes within them is not asked again).
 * No foreign key to `clients`: a deleted client's row stays (its id stays taken), and the
 * account page simply no longer lists a grant whose client is gone. A user's grants go with
 * the user.
 */
export const consentMigration: Migration = {
  version: 11,
  name: 'consent',
  statements: [
    'ALTER TABLE clients ADD COLUMN first_party boolean NOT NULL DEFAULT true',
    `CREATE TABLE consent_grants (
      user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      client_id text NOT NULL,
      scopes text[] NOT NULL,
      granted_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, client_id)
    )`,
  ],
};
