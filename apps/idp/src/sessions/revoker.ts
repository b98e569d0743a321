import { setTimeout as sleep } from 'node:timers/promises';
import { notBeforeFor, type Revocation } from '@latchkey/protocol';
import type { Logger } from '../logger.js';
import type { Store } from '../store/store.js';
import type { ReplicationPolicy } from '../store/replication.js';
import { recordRevocation } from '../store/revocation-record.js';
import type { SessionRepository } from './session.js';
import { tellListeners, type EndedBy, type SessionEndListener } from './session-events.js';

export type RevocationReason =
  | 'logout'
  | 'admin'
  | 'refresh_token_reuse'
  | 'code_replay'
  /** Another user logged in in the same browser. */
  | 'replaced_by_login'
  /** A client revoked one of its access tokens at /revoke (RFC 7009). */
  | 'token_revoked'
  /** The account lifecycle (users/account-lifecycle.ts): the user was disabled, deleted, */
  | 'user_disabled'
  | 'user_deleted'
  /** or given a new password, */
  | 'password_changed'
  /** or had every second factor removed by an operator (`users reset-mfa`). */
  | 'mfa_reset'
  /** The user signed out their other sessions on the account page. */
  | 'signed_out_elsewhere';

/**
 * The IdP itself needs no revoked set: a token is active at /userinfo and /introspect only
 * while its session still exists, which is stricter.
 *
 * Ends sessions so that every service knows at once: the revocation is recorded in the store
 * (the set SDKs load on connect) and then published (the notice SDKs apply within
 * milliseconds). Recorded before the session is deleted, so a failure half-way leaves tokens
 * revoked rather than a session gone but its tokens still accepted; calling again finishes it.
 */
export interface Revoker {
  /** Revokes one session and every token issued in it. */
  revokeSession(
    session: { sid: string; sub: string },
    reason: RevocationReason,
    by?: EndedBy,
  ): Promise<void>;
  /**
   * Revokes every session of the user, and every token issued to them until now. Resolves
   * once a token issued from then on is no longer covered (at most 1 s: `iat` is whole
   * seconds).
   */
  revokeUser(sub: string, reason: RevocationReason, by?: EndedBy): Promise<number>;
  /**
   * Revokes every session of the user but `keepSid` (a password changed from the account
   * page keeps the session it was changed in). Session by session, with no per-subject "not
   * before", which would also revoke the tokens of the kept session.
   */
  revokeOtherSessions(sub: string, keepSid: string, reason: RevocationReason): Promise<number>;
}

export interface RevokerDeps {
  store: Store;
  sessions: SessionRepository;
  logger: Logger;
  now: () => number;
  /** How long a revocation must be remembered: the longest life of a token it can apply to. */
  retentionMs: number;
  /** Told of every ending, after Redis (see session-events.ts). */
  listeners?: readonly SessionEndListener[];
  /**
   * Where revocations are recorded durably before Redis (revocations/durable-revocations.ts):
   * the IdP always has one. Without it (a `sessions` command on a database of its own
   * process), only Redis, waited for on `replication`'s replicas.
   */
  durable?: RevocationWriter;
  replication?: ReplicationPolicy;
}

/** Records a session or subject revocation so that it is kept and announced. */
export interface RevocationWriter {
  record(revocation: Revocation & { kind: 'session' | 'subject' }, at: number): Promise<void>;
}

export function createRevoker({
  store,
  sessions,
  logger,
  now,
  retentionMs,
  listeners = [],
  durable,
  replication,
}: RevokerDeps): Revoker {
  // Confirmed only once durable (and replicated): a failure rejects, and the caller answers
  // 503 rather than "signed out".
  const record = (revocation: Revocation & { kind: 'session' | 'subject' }, at: number) =>
    durable ? durable.record(revocation, at) : recordRevocation(store, revocation, at, replication);

  return {
    async revokeSession(session, reason, by) {
      const at = now();
      await record({ kind: 'session', sid: session.sid, expiresAt: at + retentionMs }, at);
      await sessions.remove(session);
      logger.info('session.revoked', { sub: session.sub, reason });
      const { sid, sub } = session;
      await tellListeners(listeners, { scope: 'session', sid, sub, reason, at, by });
    },

    async revokeUser(sub, reason, by) {
      const at = now();
      const notBefore = notBeforeFor(at);
      // Listed before the subject is recorded: from then on the lookups (the durable record's
      // copy in memory) no longer show these sessions, which must still each be ended here.
      // One started in between is covered by the subject's "not before".
      const live = await sessions.listForUser(sub, at);
      await record({ kind: 'subject', sub, notBefore, expiresAt: at + retentionMs }, at);
      for (const session of live) {
        await record({ kind: 'session', sid: session.sid, expiresAt: at + retentionMs }, at);
        await sessions.remove(session);
      }
      logger.info('user.sessions_revoked', { sub, reason, sessions: live.length });
      const sids = live.map(({ sid }) => sid);
      await tellListeners(listeners, { scope: 'user', sub, sids, reason, at, by });
      // `iat` is whole seconds, so the revocation covers the rest of its second: a login
      // finished in it (a reset, then signing in at once) would get tokens the services
      // refuse. Returning only once that second is over means whatever the caller does next
      // (answering "password changed", letting the user in again) issues tokens that count.
      await sleep(Math.min(1_000, Math.max(0, notBefore * 1000 - now())));
      return live.length;
    },

    async revokeOtherSessions(sub, keepSid, reason) {
      const at = now();
      const others = (await sessions.listForUser(sub, at)).filter(({ sid }) => sid !== keepSid);
      for (const session of others) {
        await record({ kind: 'session', sid: session.sid, expiresAt: at + retentionMs }, at);
        await sessions.remove(session);
      }
      logger.info('user.other_sessions_revoked', { sub, reason, sessions: others.length });
      for (const { sid } of others) {
        await tellListeners(listeners, { scope: 'session', sid, sub, reason, at });
      }
      return others.length;
    },
  };
}
