import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import { safeDetail, type AuditEvent, type AuditEventInput } from './audit-event.js';
import {
  eventFromRow,
  INSERT_EVENT,
  listQuery,
  PRUNE_BATCH,
  type AuditFilter,
  type AuditRow,
} from './audit-queries.js';

/** Where the IdP's code reports what happened. It never throws: see `record`. */
export interface AuditTrail {
  /**
   * Writes one JSON log line at info, then one row. A row the database refuses or cannot
   * take (an outage) is logged at error with the whole event, and the caller goes on: the
   * line already holds the event, and a login must not fail because its record could not be
   * written.
   */
  record(event: AuditEventInput): Promise<void>;
}

/** The trail as the operator's tools read it. */
export interface AuditLog extends AuditTrail {
  /** Newest first, at most `limit`. */
  list(filter: AuditFilter, limit: number): Promise<AuditEvent[]>;
  /** Deletes events older than `before`, in batches; returns how many went. */
  prune(before: Date, batchSize?: number): Promise<number>;
}

export function createAuditLog(deps: {
  database: Database;
  logger: Logger;
  now: () => number;
}): AuditLog {
  const { database, logger, now } = deps;
  return {
    async record(input) {
      const at = new Date(now());
      const actor = input.actor ?? { kind: 'system' as const };
      const detail = safeDetail(input.detail);
      const line = {
        type: input.type,
        actor,
        subject: input.subject,
        client: input.client,
        session: input.session,
        address: input.request?.address,
        userAgent: input.request?.userAgent,
        requestId: input.request?.requestId,
        detail,
      };
      logger.info('audit', line);
      try {
        await database.query(INSERT_EVENT, [
          at,
          input.type,
          actor.kind,
          'id' in actor ? actor.id : null,
          input.subject ?? null,
          input.client ?? null,
          input.session ?? null,
          input.request?.address ?? null,
          input.request?.userAgent ?? null,
          input.request?.requestId ?? null,
          JSON.stringify(detail),
        ]);
      } catch (error) {
        logger.error('audit.write_failed', { audit: line, error });
      }
    },

    async list(filter, limit) {
      const { sql, params } = listQuery(filter, limit);
      return (await database.query<AuditRow>(sql, params)).map(eventFromRow);
    },

    async prune(before, batchSize = 5_000) {
      let total = 0;
      for (;;) {
        const deleted = await database.query<{ id: string }>(`${PRUNE_BATCH} RETURNING id`, [
          before,
          batchSize,
        ]);
        total += deleted.length;
        if (deleted.length < batchSize) return total;
      }
    },
  };
}

/** For tests and tools that need a trail and read nothing back. */
export const noAudit: AuditTrail = { record: () => Promise.resolve() };
