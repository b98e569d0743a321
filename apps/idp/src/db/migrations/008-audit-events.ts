import type { Migration } from '../migration.js';

/**
 * The audit trail (audit/audit-trail.ts): append-only. A trigger refuses every UPDATE and
 * TRUNCATE, and a DELETE of anything younger than a day, so neither a bug nor a stray query
 * can rewrite what happened; pruning, which removes only what is older than the retention
 * (at least a day), is the one delete that passes. `id` orders events as they were written
 * and is the cursor of a listing.
 */
export const auditEventsMigration: Migration = {
  version: 8,
  name: 'audit-events',
  statements: [
    `CREATE TABLE audit_events (
      id bigserial PRIMARY KEY,
      at timestamptz NOT NULL,
      type text NOT NULL,
      actor_kind text NOT NULL CHECK (actor_kind IN ('user', 'client', 'operator', 'system')),
      actor_id text,
      subject text,
      client_id text,
      session_id text,
      address text,
      user_agent text,
      request_id text,
      detail jsonb NOT NULL DEFAULT '{}'
    )`,
    'CREATE INDEX audit_events_at ON audit_events (at)',
    'CREATE INDEX audit_events_type ON audit_events (type, id)',
    'CREATE INDEX audit_events_subject ON audit_events (subject, id)',
    'CREATE INDEX audit_events_actor ON audit_events (actor_id, id)',
    'CREATE INDEX audit_events_client ON audit_events (client_id, id)',
    `CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' AND OLD.at < now() - interval '1 day' THEN
        RETURN OLD;
      END IF;
      RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP;
    END $$`,
    `CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`,
    `CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`,
  ],
};
