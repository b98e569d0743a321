import type { Migration } from '../migration.js';

/**
 * Registered clients (clients/): one row per `Client` field. `secret_digest` is the base64
 * SHA-256 of the secret as text (the two drivers return bytea differently; text reads the same
 * through both), null for a public client.
 *
 * `managed_by` says who owns the row: `file` (CLIENTS_FILE, which keeps it in step at every
 * start) or `api` (registered or changed through the admin API: the file no longer touches
 * it). `version` grows with every change and is what a caller compares to notice one.
 * `deleted_at` keeps the id of a deleted client taken: refresh tokens and codes name their
 * client by id, so a new client under an old id would inherit the old one's live grants.
 */
export const clientsMigration: Migration = {
  version: 9,
  name: 'clients',
  statements: [
    `CREATE TABLE clients (
      id text PRIMARY KEY,
      name text NOT NULL,
      secret_digest text,
      auth_method text NOT NULL
        CHECK (auth_method IN ('client_secret_basic', 'client_secret_post', 'none')),
      grant_types text[] NOT NULL,
      redirect_uris text[] NOT NULL DEFAULT '{}',
      post_logout_redirect_uris text[] NOT NULL DEFAULT '{}',
      scopes text[] NOT NULL DEFAULT '{}',
      resources text[] NOT NULL,
      id_token_signed_response_alg text NOT NULL,
      backchannel_logout_uri text,
      backchannel_logout_session_required boolean NOT NULL DEFAULT false,
      require_mfa boolean NOT NULL DEFAULT false,
      application_type text NOT NULL DEFAULT 'web' CHECK (application_type IN ('web', 'native')),
      dpop_bound_access_tokens boolean NOT NULL DEFAULT false,
      web_origins text[] NOT NULL DEFAULT '{}',
      require_pushed_authorization_requests boolean NOT NULL DEFAULT false,
      managed_by text NOT NULL CHECK (managed_by IN ('file', 'api')),
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz,
      CHECK ((auth_method = 'none') = (secret_digest IS NULL) OR deleted_at IS NOT NULL)
    )`,
  ],
};
