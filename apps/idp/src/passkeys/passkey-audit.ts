import type { Context } from 'koa';
import type { AuditTrail } from '../audit/audit-trail.js';
import { requestFacts } from '../audit/request-facts.js';
import type { PasskeyError, PasskeyErrorCode } from './passkey-errors.js';

/**
 * The audit trail's word for each refusal: short and fixed, so that a reviewer can count
 * cloned authenticators (`counter`) apart from stale tabs (`challenge`). Never the credential
 * id, the challenge or the response: those are the ceremony's, not facts about it.
 */
const REASON: Readonly<Record<PasskeyErrorCode, string>> = {
  ERR_PASSKEY_MALFORMED: 'malformed',
  ERR_PASSKEY_CHALLENGE: 'challenge',
  ERR_PASSKEY_ORIGIN: 'origin',
  ERR_PASSKEY_RP_ID: 'rp_id',
  ERR_PASSKEY_CREDENTIAL: 'unknown_credential',
  ERR_PASSKEY_COUNTER: 'counter',
  ERR_PASSKEY_DUPLICATE: 'duplicate',
  ERR_PASSKEY_INVALID: 'invalid',
};

/**
 * A refused passkey assertion in the audit trail, as mfa/ records a refused TOTP code:
 * `second_factor.failed` (factor `passkey`) after a password, `login.failed` (method
 * `passkey`) for a passwordless login. The account is named only when it is known: the
 * second step's user, or the owner of a registered credential whose assertion failed.
 */
export function recordPasskeyFailure(
  ctx: Context,
  audit: AuditTrail,
  error: PasskeyError,
  about: { step: 'login'; client?: string | undefined } | { step: 'second-factor'; sub: string },
): Promise<void> {
  const reason = REASON[error.code];
  if (about.step === 'second-factor') {
    return audit.record({
      type: 'second_factor.failed',
      actor: { kind: 'user', id: about.sub },
      subject: about.sub,
      request: requestFacts(ctx),
      detail: { factor: 'passkey', result: reason },
    });
  }
  return audit.record({
    type: 'login.failed',
    subject: error.account,
    client: about.client,
    request: requestFacts(ctx),
    detail: { method: 'passkey', reason },
  });
}
