import type { Migration } from '../migration.js';

/**
 * Shared Signals streams (ssf/): one row per stream a receiver created, the subjects it
 * added or removed, and the SETs waiting for it. A queued event is kept until the receiver
 * acknowledges it (poll, RFC 8936) or accepts it (push, RFC 8935), so an event survives an
 * IdP restart and a receiver that was away catches up. The SET's claims are stored, not the
 * signed token: it is signed when delivered, with the key active then.
 */
export const ssfStreamsMigration: Migration = {
  version: 5,
  name: 'ssf-streams',
  statements: [
    `CREATE TABLE ssf_streams (
      stream_id text PRIMARY KEY,
      receiver text NOT NULL,
      delivery_method text NOT NULL
        CHECK (delivery_method IN ('urn:ietf:rfc:8935', 'urn:ietf:rfc:8936')),
      endpoint_url text,
      authorization_header text,
      events_requested text NOT NULL,
      description text,
      status text NOT NULL CHECK (status IN ('enabled', 'paused', 'disabled')),
      status_reason text,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`,
    'CREATE INDEX ssf_streams_receiver ON ssf_streams (receiver)',
    `CREATE TABLE ssf_stream_subjects (
      stream_id text NOT NULL REFERENCES ssf_streams (stream_id) ON DELETE CASCADE,
      subject_key text NOT NULL,
      included boolean NOT NULL,
      PRIMARY KEY (stream_id, subject_key)
    )`,
    `CREATE TABLE ssf_events (
      seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      stream_id text NOT NULL REFERENCES ssf_streams (stream_id) ON DELETE CASCADE,
      jti text NOT NULL,
      claims text NOT NULL,
      created_at timestamptz NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL,
      UNIQUE (stream_id, jti)
    )`,
    'CREATE INDEX ssf_events_due ON ssf_events (next_attempt_at)',
    'CREATE INDEX ssf_events_created ON ssf_events (created_at)',
  ],
};
