import { Router } from '@koa/router';
import type { Context } from 'koa';
import type { AuditEvent } from '../../audit/audit-event.js';
import type { AuditFilter } from '../../audit/audit-queries.js';
import type { AdminDeps } from '../admin-deps.js';
import { badRequest } from '../admin-problem.js';
import { pageParams, singleQuery } from '../cursor.js';

export function auditEventJson(event: AuditEvent): Record<string, unknown> {
  return {
    id: String(event.id),
    at: event.at.toISOString(),
    type: event.type,
    actor: event.actor,
    subject: event.subject,
    client: event.client,
    session: event.session,
    address: event.address,
    user_agent: event.userAgent,
    request_id: event.requestId,
    detail: event.detail,
  };
}

const TEXT_FILTERS = ['type', 'actor', 'subject', 'client'] as const;
const MAX_FILTER = 200;

function filterOf(ctx: Context): AuditFilter {
  const filter: AuditFilter = {};
  for (const name of TEXT_FILTERS) {
    const value = singleQuery(ctx, name);
    if (value === undefined || value === '') continue;
    if (value.length > MAX_FILTER || value.includes('\u0000')) {
      throw badRequest(`${name} is not a usable filter`, [
        { pointer: name, detail: `at most ${MAX_FILTER} characters, no NUL` },
      ]);
    }
    filter[name] = value;
  }
  for (const name of ['from', 'to'] as const) {
    const value = singleQuery(ctx, name);
    if (value === undefined || value === '') continue;
    const at = new Date(value);
    // RFC 3339 date-time only: Date would also take "1" or "March 7".
    if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(at.getTime())) {
      throw badRequest(`${name} is not an RFC 3339 date-time`, [
        { pointer: name, detail: 'e.g. 2026-01-31T12:00:00Z' },
      ]);
    }
    filter[name] = at;
  }
  return filter;
}

/** The audit trail read back, newest first, filtered (audit/audit-trail.ts `list`). */
export function auditRoutes(deps: AdminDeps): Router {
  const router = new Router();
  router.get('/audit-events', async (ctx) => {
    const filter = filterOf(ctx);
    const { limit, cursor } = pageParams(ctx);
    // The cursor is bound to the filter it was made for: another filter starts afresh.
    const scope = `audit:${JSON.stringify(filter)}`;
    const before = cursor === undefined ? undefined : Number(deps.cursors.open(scope, cursor));
    const events = await deps.auditLog.list(
      { ...filter, ...(before !== undefined && { before }) },
      limit + 1,
    );
    const page = events.slice(0, limit);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      items: page.map(auditEventJson),
      next_cursor:
        events.length > limit ? deps.cursors.seal(scope, String(page[page.length - 1]!.id)) : null,
    };
  });
  return router;
}
