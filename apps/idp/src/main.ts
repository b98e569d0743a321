import cluster from 'node:cluster';
import type { Server } from 'node:http';
import { ClientsFileError, loadClientsFile } from './clients/load-clients.js';
import { openClientRegistry } from './clients/open-client-registry.js';
import type { StoredClientRegistry } from './clients/stored-client-registry.js';
import { ConfigError, loadConfig } from './config/config.js';
import { describeDatabase } from './config/database-url.js';
import type { Database } from './db/database.js';
import { migrate } from './db/migration.js';
import { MIGRATIONS } from './db/migrations/index.js';
import { openDatabase } from './db/open-database.js';
import { createHttpServer } from './http/http-server.js';
import { AggregatorRegistry, collectDefaultMetrics, Registry } from 'prom-client';
import { storeKeys } from '@latchkey/protocol';
import { startSignupSweeper } from './account-links/expired-signups.js';
import { startAuditPruner } from './audit/audit-pruner.js';
import { createIdpMetrics, registerGauges } from './metrics/idp-metrics.js';
import { startMetricsServer } from './metrics/metrics-server.js';
import { createIdp } from './idp.js';
import { keyPolicyFor } from './keys/key-policy.js';
import { createLogger, type Logger } from './logger.js';
import { createStore } from './store/create-store.js';
import { checkEvictionPolicy } from './store/redis-eviction-policy.js';
import { checkRedisTopology } from './store/redis-topology-check.js';
import { guardStoreLayout } from './store/store-layout-guard.js';
import { StoreLayoutError } from './store/store-layout.js';
import { unsignableIdTokenClients } from './tokens/id-token.js';
import { importUsers, loadUsersFile, UsersFileError } from './users/load-users.js';
import type { NewUser } from './users/user.js';
import { createUserRepository } from './users/user.js';
import { runPrimary } from './workers/cluster-primary.js';

/** Below this, SDKs with their default JWKS cache floor (30 s) can lag behind a rotation. */
const SHORT_ROTATION_MS = 120_000;

/** Reads the configuration, starts the IdP, and stops it cleanly on SIGTERM or SIGINT. */
async function main(): Promise<void> {
  let config;
  let clients;
  let seedUsersList: NewUser[] = [];
  try {
    config = loadConfig(process.env);
    clients = await loadClientsFile(config.clientsFile, {
      production: config.mode === 'production',
    });
    const unsignable = unsignableIdTokenClients(clients, keyPolicyFor(config).algorithms);
    if (unsignable.length > 0) throw new ClientsFileError(unsignable);
    if (config.usersFile) {
      seedUsersList = await loadUsersFile(config.usersFile, {
        production: config.mode === 'production',
      });
    }
  } catch (error) {
    if (
      error instanceof ConfigError ||
      error instanceof ClientsFileError ||
      error instanceof UsersFileError
    ) {
      process.stderr.write(`latchkey: refusing to start\n${error.problems.join('\n')}\n`);
      process.exit(1);
    }
    throw error;
  }

  const logger = createLogger(config.logLevel, undefined, {
    service: 'latchkey-idp',
    ...(cluster.isWorker && { worker: cluster.worker?.id }),
  });
  // With several workers the primary says these once (workers get its key, see below).
  const sayOnce = !cluster.isWorker;
  if (sayOnce && config.keyEncryptionKeyIsEphemeral) {
    logger.warn('config.ephemeral_key_encryption_key', {
      detail:
        'KEY_ENCRYPTION_KEY is not set: using a random one for this process. Keys stored by an ' +
        'earlier run cannot be opened and will be replaced. Set it to keep keys across restarts.',
    });
  }

  if (sayOnce && config.keyRotationIntervalMs < SHORT_ROTATION_MS) {
    logger.warn('config.short_rotation_interval', {
      detail:
        'KEY_ROTATION_INTERVAL is under 2 minutes, for tests and demos of rotation. A new key is ' +
        'published one interval before it signs, and SDKs cache /jwks for at least 30 s by ' +
        'default, so they may briefly refuse tokens signed by a new key.',
    });
  }

  if (config.storeUrl !== 'memory://') {
    const problem = await checkRedisTopology(config.storeUrl, {
      connectTimeoutMs: 2_000,
      sentinelPassword: config.redisSentinelPassword,
    });
    if (problem !== null) {
      process.stderr.write(`latchkey: refusing to start: ${problem}\n`);
      process.exit(1);
    }
    await refuseEvictingRedis(config.storeUrl, config, logger);
  }

  // The directory: migrated and seeded before anything is served, so a login never meets a
  // half-made schema. A database that does not answer now stops start-up (the orchestrator
  // restarts us; docker-compose waits for its health check); later outages answer 503.
  let database: Database;
  let clientRegistry: StoredClientRegistry;
  try {
    database = await openDatabase(config.database);
    const applied = await migrate(database, MIGRATIONS);
    if (applied.length > 0) logger.info('db.migrated', { versions: applied });
    const created = await importUsers(createUserRepository(database), seedUsersList, logger);
    logger.info('users.seeded', { count: seedUsersList.length, created });
    // CLIENTS_FILE is an import too (clients/import-clients.ts): the table is what is served.
    clientRegistry = await openClientRegistry({
      database,
      fileClients: clients,
      refreshIntervalMs: config.clientsRefreshIntervalMs,
      logger,
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      `latchkey: refusing to start: DATABASE_URL (${describeDatabase(config.database)}): ${reason}\n`,
    );
    process.exit(1);
  }
  if (cluster.isPrimary && config.workers > 1) {
    // The directory is migrated and seeded above, once; each worker finds nothing to do.
    await database.close();
    await runPrimary({
      workers: config.workers,
      logger,
      metrics: config.metrics,
      // Workers must open each other's keys: an ephemeral key is made once, here, for all.
      env: config.keyEncryptionKeyIsEphemeral
        ? { KEY_ENCRYPTION_KEY: config.keyEncryptionKey.toString('base64url') }
        : {},
    });
    return;
  }
  // Clients registered through the admin API under another ACCESS_TOKEN_SIGNING_ALG.
  const unsignableStored = unsignableIdTokenClients(
    clientRegistry.all(),
    keyPolicyFor(config).algorithms,
  );
  if (unsignableStored.length > 0) {
    process.stderr.write(`latchkey: refusing to start\n${unsignableStored.join('\n')}\n`);
    process.exit(1);
  }

  const store = createStore(config.storeUrl, {
    sentinelPassword: config.redisSentinelPassword,
    // Connection trouble is a warning; reconnects and the like are worth an info line.
    logger: (event, fields) => {
      if (/error|fail|threw/.test(event)) logger.warn(event, fields);
      else logger.info(event, fields);
    },
  });
  // Before anything is written (users, keys): a store of another key layout is refused.
  const refuseLayout = (error: StoreLayoutError): never => {
    process.stderr.write(`latchkey: refusing to start: ${error.message}\n`);
    process.exit(1);
  };
  let layout;
  try {
    layout = await guardStoreLayout(store, { logger, onMismatch: refuseLayout });
  } catch (error) {
    if (error instanceof StoreLayoutError) refuseLayout(error);
    throw error;
  }
  const registry = config.metrics ? new Registry() : null;
  const { handler, keys, outbox, afterAnswer, audit, deliveries, signals, revocations, users } =
    createIdp(config, {
      store,
      database,
      clients: clientRegistry,
      logger,
      ...(registry && { metrics: createIdpMetrics(registry) }),
    });
  if (sayOnce && !config.usersFile) {
    logger.warn('config.no_users', {
      detail: 'USERS_FILE is not set: nobody can log in until users are added to the directory.',
    });
  }

  await keys.start();
  // Before serving: a session the ledger says is revoked is refused from the first request.
  try {
    await revocations.start();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(`latchkey: refusing to start: reading the revocations: ${reason}\n`);
    process.exit(1);
  }
  clientRegistry.start();
  await users.start();
  const pruner = startAuditPruner({ audit, retentionMs: config.auditRetentionMs, logger });
  const signupSweeper = startSignupSweeper({ database, logger });
  let metricsServer: Server | undefined;
  if (registry && config.metrics) {
    collectDefaultMetrics({ register: registry });
    registerGauges(registry, {
      keys: () => keys.list(),
      rotationIntervalMs: config.keyRotationIntervalMs,
      pingStore: () => store.ping(),
      countSessions: () => store.countSet(storeKeys.liveSessions),
    });
    if (cluster.isWorker) {
      // The primary answers /metrics, gathering every worker's registry over IPC. A worker
      // answers those requests once it has made an AggregatorRegistry of its own (prom-client
      // adds its listener in the constructor), and sends what setRegistries names.
      new AggregatorRegistry();
      AggregatorRegistry.setRegistries([registry]);
    } else {
      metricsServer = await startMetricsServer(registry, { ...config.metrics, logger });
      logger.info('metrics.listening', {
        address: `http://${config.metrics.host}:${config.metrics.port}/metrics`,
      });
    }
  }
  // Logout tokens left by an earlier run (or another instance) go out from now on.
  deliveries.start();
  // An explicit server for the limits and answers below Koa (oversized headers, slowloris).
  const server: Server = createHttpServer(handler).listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  logger.info('idp.listening', {
    issuer: config.issuer,
    address: `http://${config.host}:${config.port}`,
    store: config.storeUrl === 'memory://' ? 'memory' : 'redis',
    database: describeDatabase(config.database),
    mode: config.mode,
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    layout.stop();
    pruner.stop();
    signupSweeper.stop();
    clientRegistry.stop();
    metricsServer?.close();
    logger.info('idp.stopping', { signal });
    // Stop accepting, let in-flight requests finish, then release Redis. A hard deadline
    // keeps a stuck connection from blocking a rolling deploy.
    const deadline = setTimeout(() => process.exit(1), 10_000).unref();
    // Held polls (RFC 8936 long polling) answer now rather than hold the close for 30 s.
    signals.close();
    server.close(() => {
      // Mail already queued gets a few seconds to leave; what still waits is logged as lost.
      void afterAnswer
        .idle()
        .then(() =>
          Promise.race([outbox.idle(), new Promise((resolve) => setTimeout(resolve, 5_000))]),
        )
        .then(() => outbox.close())
        .then(() => deliveries.stop())
        .then(() => revocations.stop())
        .then(() => users.stop())
        .then(() => keys.stop())
        .then(() => store.close())
        .then(() => database.close())
        .finally(() => {
          clearTimeout(deadline);
          logger.info('idp.stopped');
          process.exit(0);
        });
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/**
 * Refuses a Redis that evicts keys (see isEvictingPolicy) unless REDIS_ALLOW_EVICTION=true.
 * A Redis that forbids CONFIG (managed services) or does not answer yet gets a warning: its
 * operator has to make sure of the policy.
 */
async function refuseEvictingRedis(
  url: string,
  config: { redisAllowEviction: boolean; redisSentinelPassword: string | undefined },
  logger: Logger,
): Promise<void> {
  const check = await checkEvictionPolicy(url, config.redisSentinelPassword);
  if (check.kind === 'unknown') {
    logger.warn('store.eviction_policy_unknown', {
      reason: check.reason,
      detail: 'could not read maxmemory-policy; make sure it is noeviction',
    });
  } else if (check.kind === 'evicting') {
    if (config.redisAllowEviction) {
      logger.warn('store.eviction_allowed', { policy: check.policy });
      return;
    }
    process.stderr.write(
      `latchkey: refusing to start: REDIS_URL: Redis has maxmemory-policy ${check.policy}, which ` +
        'silently drops sessions and revocations; set it to noeviction, or set ' +
        'REDIS_ALLOW_EVICTION=true to accept that\n',
    );
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `latchkey: fatal: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
