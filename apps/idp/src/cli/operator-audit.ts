import { hostname, userInfo } from 'node:os';
import type { AuditActor } from '../audit/audit-event.js';
import { createAuditLog, type AuditLog } from '../audit/audit-trail.js';
import type { Database } from '../db/database.js';
import { createLogger } from '../logger.js';

/**
 * The audit trail as an operator's command writes it: every change recorded with the
 * operator (the account running the command, on which host) as its actor. The row is the
 * record; the log line would only interleave with the command's own output, so only a row
 * that could not be written is reported, on stderr.
 */
export function operatorAudit(database: Database): { audit: AuditLog; actor: AuditActor } {
  const logger = createLogger('error', (line) => process.stderr.write(`${line}\n`));
  return {
    audit: createAuditLog({ database, logger, now: Date.now }),
    actor: { kind: 'operator', id: `${operatorName()}@${hostname()}` },
  };
}

function operatorName(): string {
  try {
    return userInfo().username;
  } catch {
    // No passwd entry for this uid (some containers): the uid says as much as can be said.
    return `uid:${process.getuid?.() ?? 'unknown'}`;
  }
}
