import type { IncomingMessage, ServerResponse } from 'node:http';
import type Koa from 'koa';
import { createApp } from './app.js';
import type { ClientRegistry } from './clients/client.js';
import { createClientRepository } from './clients/client-repository.js';
import { createClientService, type ClientService } from './clients/client-service.js';
import { ClientsFileError } from './clients/load-clients.js';
import type { Config } from './config/config.js';
import type { Database } from './db/database.js';
import { jwksFastPath } from './fast-paths/jwks-fast-path.js';
import { createKeyFactory } from './keys/key-generation.js';
import { createKeyManager, type KeyManager } from './keys/key-manager.js';
import { keyPolicyFor } from './keys/key-policy.js';
import type { Logger } from './logger.js';
import type { LoginLimits } from './login/login-throttle.js';
import type { Revoker } from './sessions/revoker.js';
import { auditSessionEnds } from './sessions/audit-session-ends.js';
import type { IdpMetrics } from './metrics/idp-metrics.js';
import { meteredAudit, meteredDatabase, meteredHandler } from './metrics/metered.js';
import { createAuditLog, type AuditLog } from './audit/audit-trail.js';
import { createSessionServices } from './sessions/session-services.js';
import {
  createDurableRevocations,
  type DurableRevocations,
} from './revocations/durable-revocations.js';
import { createRevocationLedger } from './revocations/revocation-ledger.js';
import {
  createDeliveries,
  type Deliveries,
  type DeliveryTuning,
} from './back-channel/deliveries.js';
import type { DeliveryKind } from './delivery/delivery-kind.js';
import type { SessionRepository } from './sessions/session.js';
import type { Store } from './store/store.js';
import type { VerifyPassword } from './users/password-hash.js';
import { unsignableIdTokenClients } from './tokens/id-token.js';
import { createUserRepository, type UserRepository } from './users/user.js';
import { cacheUserReads, type CachingUserRepository } from './users/user-read-cache.js';
import { createAccountLinks, type AccountLinks } from './account-links/account-links.js';
import { createAfterAnswer, type AfterAnswer } from './account-links/after-answer.js';
import { createMail } from './mail/create-mail.js';
import {
  createSecondFactorThrottle,
  DEFAULT_SECOND_FACTOR_LIMITS,
  type SecondFactorLimits,
} from './mfa/second-factor-throttle.js';
import { createSecondFactors, type SecondFactors } from './mfa/second-factors.js';
import { secondFactorNotice } from './mfa/second-factor-notice.js';
import { inMailLocale, mailLocale } from './mail/mail-locale.js';
import { deleteAllSecondFactors } from './mfa/second-factor-queries.js';
import type { MailTransport } from './mail/mail-message.js';
import type { Outbox, OutboxOptions } from './mail/outbox.js';
import { passwordChangedNotice } from './mail/password-changed-notice.js';
import { composeNotifiers } from './users/account-notifiers.js';
import { createSharedSignals, ssfDeliveryKind, type SharedSignals } from './ssf/ssf.js';
import { passkeyNotice } from './mail/passkey-notice.js';
import { resetPasskeys } from './passkeys/reset-passkeys.js';
import {
  createAccountLifecycle,
  type AccountLifecycle,
  type AccountNotifier,
} from './users/account-lifecycle.js';

export interface Idp {
  app: Koa;
  /** What the HTTP server runs: the hot public documents answered before Koa, then `app`. */
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** Start before serving (it loads or creates the keys); stop after the server closed. */
  keys: KeyManager;
  sessions: SessionRepository;
  revoker: Revoker;
  /**
   * The directory, its reads by id cached (users/user-read-cache.ts): start before serving
   * (until then every read asks the database), stop after.
   */
  users: CachingUserRepository;
  /** Outgoing mail; close it after the server (what still waits is logged as abandoned). */
  outbox: Outbox;
  /** The account pages' work after their answer (look-ups, links, mails). */
  afterAnswer: AfterAnswer;
  links: AccountLinks;
  /** The one service through which an account changes (users/account-lifecycle.ts). */
  accounts: AccountLifecycle;
  /** What happened, for operators; main.ts prunes it (audit/audit-pruner.ts). */
  audit: AuditLog;
  /**
   * Messages to other services (back-channel logout tokens, SSF pushes): start after the
   * keys, stop before them.
   */
  deliveries: Deliveries;
  /**
   * The Shared Signals transmitter (ssf/): told of every session end and password change;
   * `signals.transmitter.credentialChanged` is the door for second-factor changes. Close it
   * (wakes held polls) before the server.
   */
  signals: SharedSignals;
  /** TOTP and recovery codes (mfa/second-factors.ts). */
  secondFactors: SecondFactors;
  /**
   * Revocations kept in PostgreSQL and put back into Redis after a restore
   * (revocations/durable-revocations.ts): start before serving (it loads them), stop after.
   */
  revocations: DurableRevocations;
  /** Registers and changes clients (the admin API's door); changes reach `deps.clients`. */
  clientService: ClientService;
}

/** Wires the IdP from its configuration, the same way for main.ts and for the tests. */
export function createIdp(
  config: Config,
  deps: {
    store: Store;
    /** The directory's database (DATABASE_URL), migrated. */
    database: Database;
    /**
     * The clients the endpoints serve: clients/stored-client-registry.ts, loaded from
     * `database` (its `reload` runs after every change made through `clientService`); unit
     * tests may give a fixed list.
     */
    clients: ClientRegistry & { reload?: () => Promise<void> };
    logger: Logger;
    now?: () => number;
    /** Failed-login limits; the default suits production, tests shorten the window. */
    loginLimits?: LoginLimits;
    /** The login form's password check; tests give one on slots they watch. */
    verifyPassword?: VerifyPassword;
    /** Where mail goes; default SMTP at SMTP_URL. */
    mailTransport?: MailTransport;
    /** The outbox's retries; tests shorten them. */
    outbox?: OutboxOptions;
    /** Told of account changes their owner must hear of (mail); default none. */
    accountNotifier?: AccountNotifier;
    /** The directory; default the users table in `database`. The bench gives a Redis one. */
    users?: UserRepository;
    /** What to count for Prometheus (main.ts, with METRICS_PORT); default nothing. */
    metrics?: IdpMetrics;
    /** Delivery kinds beyond back-channel logout, carried by the same outbox and worker. */
    deliveryKinds?: readonly DeliveryKind[];
    /** The delivery worker's and sweeper's pace and guard; tests tighten them. */
    deliveryTuning?: DeliveryTuning;
    /** Wrong second-factor codes allowed; tests shorten the window. */
    secondFactorLimits?: SecondFactorLimits;
  },
): Idp {
  const now = deps.now ?? Date.now;
  const { metrics } = deps;
  // With metrics, every query is timed and every audited event counted; without, the parts
  // are used as they are.
  const database = metrics ? meteredDatabase(deps.database, metrics) : deps.database;
  const policy = keyPolicyFor(config);
  const unsignable = unsignableIdTokenClients(deps.clients.all(), policy.algorithms);
  if (unsignable.length > 0) throw new ClientsFileError(unsignable);
  const auditLog = createAuditLog({ database, logger: deps.logger, now });
  const audit = metrics ? meteredAudit(auditLog, metrics) : auditLog;
  const keys = createKeyManager({
    store: deps.store,
    database,
    policy,
    kek: config.keyEncryptionKey,
    newKey: createKeyFactory(config.keyEncryptionKey),
    logger: deps.logger,
    audit,
    replaceUndecryptableKeys: config.keyEncryptionKeyIsEphemeral,
    replication: config.redisReplication,
    // Often enough that a due rotation is seen within a tenth of its interval.
    checkIntervalMs: Math.min(5_000, Math.max(250, config.keyRotationIntervalMs / 10)),
  });
  // The sweeper asks the session store whether a session still lives; that store is made
  // with the revoker below, which needs the deliveries' listener first.
  const liveSessions: Pick<SessionRepository, 'find'> = {
    find: (sid, at) => sessionStore.find(sid, at),
  };
  const deliveries = createDeliveries(config, {
    database,
    audit,
    clients: deps.clients,
    keys,
    logger: deps.logger,
    now,
    sessions: liveSessions,
    // SSF push streams (RFC 8935) ride the same outbox and worker as back-channel logout.
    kinds: [
      ssfDeliveryKind(config, { database: deps.database, keys }),
      ...(deps.deliveryKinds ?? []),
    ],
    ...(deps.deliveryTuning && { tuning: deps.deliveryTuning }),
  });
  const signals = createSharedSignals(config, {
    database: deps.database,
    keys,
    logger: deps.logger,
    now,
    outbox: deliveries.outbox,
  });
  const revocations = createDurableRevocations({
    ledger: createRevocationLedger(database),
    store: deps.store,
    logger: deps.logger,
    now,
    replication: config.redisReplication,
    sessionLifeMs: config.sessionMaxTtlMs,
  });
  const { sessions: sessionStore, revoker } = createSessionServices(config, {
    store: deps.store,
    logger: deps.logger,
    now,
    durable: revocations,
    // Back-channel logout tokens, and a CAEP session-revoked event per Shared Signals stream,
    // each queued durably before the revoker returns; and the audit trail.
    listeners: [auditSessionEnds(audit), deliveries.listener, signals.transmitter],
  });
  // Every code issued records which client took part in the session, durably.
  const sessions = deliveries.recording(sessionStore);
  // The token grants read their user on every request: cached, and told of every change.
  const users = cacheUserReads(deps.users ?? createUserRepository(database), {
    ttlMs: config.userCacheTtlMs,
    now,
    store: deps.store,
    logger: deps.logger,
  });
  const { outbox, mailer } = createMail(config, deps.logger, {
    ...(deps.mailTransport && { transport: deps.mailTransport }),
    ...(deps.outbox && { outbox: deps.outbox }),
  });
  const notice = secondFactorNotice({ mailer, issuer: config.issuer, now });
  const accounts = createAccountLifecycle({
    users,
    audit,
    sessions: revoker,
    // "Your password was changed" (and "your second factors were reset"), by mail in the
    // language of the page that made the change; and a CAEP credential-change event for every
    // Shared Signals stream that asked for one.
    notifier: composeNotifiers([
      deps.accountNotifier ?? {
        ...passwordChangedNotice({ mailer, issuer: config.issuer, now }),
        secondFactorsReset: (user) => notice(user, 'reset', mailLocale()),
      },
      signals.transmitter.accountNotifier,
    ]),
    // TOTP and recovery codes, and every passkey.
    secondFactorRemovers: [
      (userId) => deleteAllSecondFactors(database, userId),
      (userId) => resetPasskeys(database, userId).then(() => undefined),
    ],
    reportNoticeFailure: (error) =>
      deps.logger.warn('account.notice_failed', {
        error: error instanceof Error ? error.message : String(error),
      }),
  });
  const secondFactors = createSecondFactors({
    database,
    kek: config.keyEncryptionKey,
    issuerName: new URL(config.issuer).host,
    throttle: createSecondFactorThrottle(
      deps.store,
      deps.secondFactorLimits ?? DEFAULT_SECOND_FACTOR_LIMITS,
    ),
    now,
  });
  const links = createAccountLinks({ database, users, now });
  const clientService = createClientService({
    repository: createClientRepository(database),
    reload: () => deps.clients.reload?.() ?? Promise.resolve(),
    audit,
    // The unsignable-client check above, for the clients registered from now on.
    signingAlgorithms: policy.algorithms,
    production: config.mode === 'production',
  });
  const afterAnswer = createAfterAnswer(deps.logger);
  const accountLinkPages = {
    links,
    passwords: accounts,
    mailer,
    afterAnswer,
    inLocale: inMailLocale,
  };
  const app = createApp({
    config,
    keys,
    sessions,
    revoker,
    users,
    accounts,
    audit,
    now,
    accountLinkPages,
    signals,
    passkeyNotifier: passkeyNotice({ outbox, issuer: config.issuer, now }),
    secondFactors,
    secondFactorNotice: notice,
    admin: { auditLog, links, clientService },
    ...deps,
    database,
  });
  const koa = app.callback();
  const jwks = jwksFastPath(keys, {
    maxAgeSec: config.jwksMaxAgeSec,
    https: config.issuer.startsWith('https:'),
    logger: deps.logger,
  });
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    if (!jwks(req, res)) void koa(req, res);
  };
  return {
    app,
    handler: metrics ? meteredHandler(handler, metrics) : handler,
    keys,
    sessions,
    revoker,
    users,
    outbox,
    afterAnswer,
    links,
    accounts,
    audit,
    deliveries,
    signals,
    secondFactors,
    clientService,
    revocations,
  };
}
