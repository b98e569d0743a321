import type { AddressInfo } from 'node:net';
import { loadClientsFile } from '../clients/load-clients.js';
import type { ClientService } from '../clients/client-service.js';
import { openClientRegistry } from '../clients/open-client-registry.js';
import type { StoredClientRegistry } from '../clients/stored-client-registry.js';
import { loadConfig, type Config } from '../config/config.js';
import { createHttpServer } from '../http/http-server.js';
import { createIdp } from '../idp.js';
import type { KeyManager } from '../keys/key-manager.js';
import type { LoginLimits } from '../login/login-throttle.js';
import type { Revoker } from '../sessions/revoker.js';
import type { SessionRepository } from '../sessions/session.js';
import { silentLogger, type Logger } from '../logger.js';
import { createMemoryStore } from '../store/memory-store.js';
import type { Store } from '../store/store.js';
import type { Database } from '../db/database.js';
import { importUsers, loadUsersFile } from '../users/load-users.js';
import { sharedTestDatabase } from './test-database.js';
import type { VerifyPassword } from '../users/password-hash.js';
import type { UserRepository } from '../users/user.js';
import type { AccountLinks } from '../account-links/account-links.js';
import type { AfterAnswer } from '../account-links/after-answer.js';
import type { Outbox, OutboxOptions } from '../mail/outbox.js';
import type { AccountLifecycle, AccountNotifier } from '../users/account-lifecycle.js';
import type { AuditLog } from '../audit/audit-trail.js';
import { sessionCookieKey, sessionCookieValue } from '../sessions/session-cookie.js';
import type { Deliveries, DeliveryTuning } from '../back-channel/deliveries.js';
import type { SharedSignals } from '../ssf/ssf.js';
import type { SecondFactorLimits } from '../mfa/second-factor-throttle.js';
import type { SecondFactors } from '../mfa/second-factors.js';

export interface TestIdp {
  url: string;
  config: Config;
  keys: KeyManager;
  store: Store;
  database: Database;
  sessions: SessionRepository;
  revoker: Revoker;
  users: UserRepository;
  /** Outgoing mail and the account pages' work after their answer: await both to see mail. */
  outbox: Outbox;
  afterAnswer: AfterAnswer;
  links: AccountLinks;
  accounts: AccountLifecycle;
  audit: AuditLog;
  /** Back-channel deliveries: not started unless `startDeliveries`; tests may runOnce/sweep. */
  deliveries: Deliveries;
  signals: SharedSignals;
  secondFactors: SecondFactors;
  /** The clients served (from the database) and the service that changes them. */
  clients: StoredClientRegistry;
  clientService: ClientService;
  close(): Promise<void>;
}

export interface TestIdpOptions {
  /** The IdP's clock (epoch ms); give the memory store the same one to expire records too. */
  now?: () => number;
  /** Failed-login limits, e.g. a short window to see the throttle end. */
  loginLimits?: LoginLimits;
  /** The login form's password check, e.g. on hashing slots the test watches. */
  verifyPassword?: VerifyPassword;
  /** The directory; default the worker's shared in-memory PGlite (test-database.ts). */
  database?: Database;
  /** The outbox's retries (e.g. milliseconds apart, to see them in a test). */
  outbox?: OutboxOptions;
  /** Default silent; a test reading the log lines gives its own. */
  logger?: Logger;
  /** Told of password changes (e.g. a notifier that sends mail to the test's SMTP server). */
  accountNotifier?: AccountNotifier;
  /** Start the delivery worker and sweeper (loopback targets only, whatever the tuning). */
  startDeliveries?: boolean;
  deliveryTuning?: DeliveryTuning;
  /** Wrong second-factor codes allowed (mfa/second-factor-throttle.ts). */
  secondFactorLimits?: SecondFactorLimits;
}

/**
 * The IdP built in-process on the memory store, listening on a free loopback port. `env` is
 * read like the process environment: e.g. `RATE_LIMIT_LOGIN_PER_ADDRESS: 'off'` for a test
 * that floods an endpoint on purpose, `TRUSTED_PROXIES` to test forwarded addresses.
 */
export async function startTestIdp(
  env: Record<string, string> = {},
  store: Store = createMemoryStore(),
  options: TestIdpOptions = {},
): Promise<TestIdp> {
  const config = loadConfig({
    ISSUER: 'http://idp.localhost:4000',
    DATABASE_URL: 'pglite://memory',
    ...env,
  });
  const database = options.database ?? (await sharedTestDatabase());
  // As in main.ts: CLIENTS_FILE imported into the database, the registry loaded from it. The
  // file keeps the clients it made in step, so IdPs of one test file sharing the database
  // each find their file's registrations; and none drops the others' (one database, several
  // files: unlike a deployment).
  const clients = await openClientRegistry({
    database,
    fileClients: await loadClientsFile(config.clientsFile, { production: false }),
    refreshIntervalMs: config.clientsRefreshIntervalMs,
    logger: options.logger ?? silentLogger,
    dropUnlisted: false,
  });
  const {
    handler,
    keys,
    sessions,
    revoker,
    users,
    accounts,
    outbox,
    afterAnswer,
    links,
    audit,
    deliveries,
    signals,
    secondFactors,
    clientService,
  } = createIdp(config, {
    store,
    database,
    clients,
    logger: options.logger ?? silentLogger,
    ...(options.now && { now: options.now }),
    ...(options.loginLimits && { loginLimits: options.loginLimits }),
    ...(options.verifyPassword && { verifyPassword: options.verifyPassword }),
    ...(options.outbox && { outbox: options.outbox }),
    ...(options.accountNotifier && { accountNotifier: options.accountNotifier }),
    // Tests contact loopback addresses only, whatever a registration says.
    deliveryTuning: { ...options.deliveryTuning, loopbackOnly: true },
    ...(options.secondFactorLimits && { secondFactorLimits: options.secondFactorLimits }),
  });
  // USERS_FILE defaults to the demo users (alice, bob), as in dev.
  if (config.usersFile) {
    const seeds = await loadUsersFile(config.usersFile, { production: false });
    await importUsers(users, seeds, options.logger ?? silentLogger);
  }
  await keys.start();
  clients.start();
  if (options.startDeliveries) deliveries.start();
  // The same server as main.ts: its header limits and error answers are part of the IdP.
  const server = createHttpServer(handler).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    config,
    keys,
    store,
    database,
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
    clients,
    clientService,
    async close() {
      clients.stop();
      signals.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await afterAnswer.idle();
      outbox.close();
      await deliveries.stop();
      await keys.stop();
      await store.close();
      await database.close();
    },
  };
}

/** A `client_secret_basic` Authorization header value. */
/**
 * The test IdP with one clock for the IdP and its memory store: a test that moves `now`
 * expires codes, tokens and sessions in both at once.
 */
export function startClockedTestIdp(
  now: () => number,
  env: Record<string, string> = {},
): Promise<TestIdp> {
  return startTestIdp(env, createMemoryStore({ now }), { now });
}

export function basicAuth(id: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`;
}

export function form(params: Record<string, string | string[]>): URLSearchParams {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : [value]) body.append(name, item);
  }
  return body;
}

/** The session cookie's value for a session the test made in the store (sid and its MAC). */
export function sessionCookieFor(idp: TestIdp, sid: string): string {
  return sessionCookieValue(sessionCookieKey(idp.config.keyEncryptionKey), sid);
}
