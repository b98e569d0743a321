import type { Logger } from '../logger.js';
import type { AuditLog } from './audit-trail.js';

/**
 * Removes audit events older than the retention (AUDIT_RETENTION), once at start and then
 * every `intervalMs`. Every instance runs one: deleting what another already deleted costs a
 * query, and no instance has to be the one that remembers. A failed run is logged and tried
 * again at the next interval.
 */
export function startAuditPruner(deps: {
  audit: AuditLog;
  retentionMs: number;
  logger: Logger;
  now?: () => number;
  intervalMs?: number;
}): { stop(): void } {
  const { audit, retentionMs, logger, now = Date.now, intervalMs = 60 * 60_000 } = deps;
  const run = async () => {
    try {
      const removed = await audit.prune(new Date(now() - retentionMs));
      if (removed > 0) logger.info('audit.pruned', { removed });
    } catch (error) {
      logger.warn('audit.prune_failed', { error });
    }
  };
  void run();
  const timer = setInterval(() => void run(), intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
