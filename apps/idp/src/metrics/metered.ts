import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { Database } from '../db/database.js';
import type { RateLimiter } from '../limits/rate-limit.js';
import type { IdpMetrics } from './idp-metrics.js';
import { routeLabel } from './route-label.js';

/**
 * The IdP's parts with metrics around them. Decorators at the edges, so the code that does
 * the work knows nothing of Prometheus, and the IdP without METRICS_PORT builds none of them.
 */

/** Every request, the JWKS fast path's included: timed from arrival to the last byte sent. */
export function meteredHandler(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  metrics: IdpMetrics,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.request(routeLabel(req.url), req.method ?? 'GET', res.statusCode, seconds);
    });
    handler(req, res);
  };
}

export function meteredAudit<T extends AuditTrail>(audit: T, metrics: IdpMetrics): T {
  return {
    ...audit,
    record(event) {
      metrics.audited(event);
      return audit.record(event);
    },
  };
}

export function meteredLimiter(limiter: RateLimiter, metrics: IdpMetrics): RateLimiter {
  return {
    async consume(scope, subject, rate) {
      const verdict = await limiter.consume(scope, subject, rate);
      if (!verdict.allowed) metrics.rateLimited(scope);
      return verdict;
    },
  };
}

/** Queries outside a transaction; a transaction's are counted as one, as the work they are. */
export function meteredDatabase(database: Database, metrics: IdpMetrics): Database {
  const timed = async <T>(work: () => Promise<T>): Promise<T> => {
    const started = process.hrtime.bigint();
    let failed = false;
    try {
      return await work();
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      metrics.databaseQuery(Number(process.hrtime.bigint() - started) / 1e9, failed);
    }
  };
  return {
    query: (sql, params) => timed(() => database.query(sql, params)),
    transaction: (work) => timed(() => database.transaction(work)),
    close: () => database.close(),
  };
}
