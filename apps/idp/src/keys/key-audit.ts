import type { AuditActor } from '../audit/audit-event.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { ChangeReason } from './key-lifecycle.js';
import { keyState, type KeySet } from './key-set.js';

/**
 * A committed change of the key set as the audit trail records it: which keys began to sign
 * (`key.rotated`, also the first keys, reason `created`) and which were revoked
 * (`key.revoked`). Told apart by comparing the set before and after, so that a rotation on
 * schedule, an operator's `keys rotate` and a revocation (which also activates a
 * replacement) each say exactly what changed. Pruning old keys is housekeeping: not recorded.
 */
export async function auditKeyChange(
  audit: AuditTrail,
  change: { before: KeySet | null; after: KeySet; reason: ChangeReason },
  actor?: AuditActor,
): Promise<void> {
  const { before, after, reason } = change;
  if (reason === 'pruned') return;
  const was = new Map(before?.keys.map((key) => [key.kid, keyState(key)]) ?? []);
  const newly = (state: 'active' | 'revoked') =>
    after.keys
      .filter((key) => keyState(key) === state && was.get(key.kid) !== state)
      .map((key) => key.kid);
  const revoked = newly('revoked');
  const activated = newly('active');
  const base = { ...(actor && { actor }), detail: { reason, version: after.version } };
  for (const kid of revoked) {
    await audit.record({ ...base, type: 'key.revoked', detail: { ...base.detail, kid } });
  }
  for (const kid of activated) {
    await audit.record({ ...base, type: 'key.rotated', detail: { ...base.detail, kid } });
  }
}
