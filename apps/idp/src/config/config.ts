import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  isLoopbackHost,
  isSigningAlgorithm,
  parseRedisUrl,
  RedisUrlError,
  SIGNING_ALGORITHMS,
  type SigningAlgorithm,
} from '@latchkey/protocol';
import { parseDatabaseUrl, type DatabaseTarget } from './database-url.js';
import { readMailConfig, type MailConfig } from './mail-config.js';
import { formatDuration, parseDuration } from './duration.js';
import { parseProxyEntry, type ProxyEntry } from './proxy-entry.js';
import { parseRate, type Rate } from './rate.js';

export type Mode = 'production' | 'development';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Everything the IdP reads from its environment, parsed and checked once at start-up. */
export interface Config {
  readonly mode: Mode;
  /** The public issuer URL, without a trailing slash; `iss` of every token. */
  readonly issuer: string;
  readonly host: string;
  readonly port: number;
  /**
   * `redis://…`, `rediss://…`, `redis+sentinel://…/MASTER`, `redis+cluster://…` (and their
   * `rediss+` TLS forms), or `memory://`.
   */
  readonly storeUrl: string;
  /** REDIS_SENTINEL_PASSWORD: the sentinels' own password, when they require one. */
  readonly redisSentinelPassword: string | undefined;
  /**
   * Accept a Redis whose maxmemory-policy evicts keys (REDIS_ALLOW_EVICTION=true): it would
   * silently drop sessions and revocations, so the IdP refuses one unless told otherwise.
   */
  readonly redisAllowEviction: boolean;
  /**
   * Redis replicas a revocation or key rotation must reach before it is confirmed
   * (REDIS_WAIT_REPLICAS, REDIS_WAIT_TIMEOUT_MS; store/replication.ts). Too few within the
   * timeout answers 503: never a confirmation a failover could undo.
   */
  readonly redisReplication: { readonly replicas: number; readonly timeoutMs: number };
  /** DATABASE_URL: the durable directory (users). */
  readonly database: DatabaseTarget;
  /**
   * IDP_WORKERS: processes serving the public port (Node's cluster: a primary that forks
   * them and serves /metrics for all). Default: the machine's available parallelism when the
   * state is shared (a PostgreSQL server and Redis), else 1.
   */
  readonly workers: number;
  /** 32 bytes; encrypts private signing keys at rest. */
  readonly keyEncryptionKey: Buffer;
  /** True when no KEY_ENCRYPTION_KEY was given and a random one was made (dev only). */
  readonly keyEncryptionKeyIsEphemeral: boolean;
  readonly clientsFile: string;
  /**
   * CLIENTS_REFRESH_INTERVAL: how often the clients held in memory are read again from the
   * database, which is how a change made by another IdP instance arrives (default 5s).
   */
  readonly clientsRefreshIntervalMs: number;
  /**
   * USER_CACHE_TTL: how long a user read by the token grants is kept in memory (default 60s;
   * `off` or 0 reads the database every time). Changes made through the IdP reach every
   * process at once (users/user-read-cache.ts); this bounds any other.
   */
  readonly userCacheTtlMs: number;
  /** Seed users, imported into the database at start-up; none in production unless given. */
  readonly usersFile: string | undefined;
  readonly accessTokenAlg: SigningAlgorithm;
  readonly keyRotationIntervalMs: number;
  readonly accessTokenTtlMs: number;
  readonly idTokenTtlMs: number;
  readonly refreshTokenTtlMs: number;
  /**
   * PUBLIC_CLIENT_REFRESH_IDLE_TTL: how long a public client's (a browser app's, a native
   * app's) refresh token lives unused, default 1d; at most REFRESH_TOKEN_TTL. Its token sits
   * in a browser's storage, where a stolen one is worth less the sooner it lapses.
   */
  readonly publicClientRefreshIdleTtlMs: number;
  readonly sessionIdleTtlMs: number;
  readonly sessionMaxTtlMs: number;
  /** How long verifiers may cache /jwks; always well under the pre-publication window. */
  readonly jwksMaxAgeSec: number;
  readonly logLevel: LogLevel;
  /** Request-rate limits shared through the store; null: off. */
  readonly rateLimits: RateLimits;
  /**
   * How long a rate-limit count waits for the store (RATE_LIMIT_STORE_BUDGET, default 100ms)
   * before this instance counts alone for a while (limits/rate-limit.ts).
   */
  readonly rateLimitStoreBudgetMs: number;
  /** Peers whose X-Forwarded-For is believed (TRUSTED_PROXIES); none by default. */
  readonly trustedProxies: readonly ProxyEntry[];
  /** Outgoing mail (SMTP_URL, MAIL_FROM): reset links, invitations, notices. */
  readonly mail: MailConfig;
  /**
   * RFC 9449 (DPoP): DPOP_REQUIRE_NONCE=true makes /token ask for a server nonce in every
   * proof (default false); DPOP_PROOF_WINDOW is how far a proof's `iat` may lie from now
   * (default 60s), and how long its `jti` is remembered.
   */
  readonly dpop: { readonly requireNonce: boolean; readonly proofWindowSec: number };
  /** SELF_REGISTRATION=true: /signup exists. Default false. */
  readonly selfRegistration: boolean;
  /**
   * REQUIRE_PAR=true: every client must push its authorization request (RFC 9126 §5) and
   * /authorize takes only a `request_uri`. Default false (a client may still require it).
   */
  readonly requirePar: boolean;
  /** AUDIT_RETENTION: audit events older than this are pruned by the IdP (default 90 days). */
  readonly auditRetentionMs: number;
  /** METRICS_PORT (and METRICS_HOST, default IDP_HOST): GET /metrics; null: no metrics. */
  readonly metrics: MetricsListen | null;
  /** Shared Signals transmitter (ssf/): how it holds polls and queued events. */
  readonly ssf: SsfConfig;
  /** The outbox of deliveries to other services (back-channel logout tokens, SSF pushes). */
  readonly delivery: DeliveryConfig;
  /**
   * MFA_REQUIRED_ROLES: comma-separated roles whose users must use a second factor to sign in
   * to any application (and may not remove their last one). Default none.
   */
  readonly mfaRequiredRoles: readonly string[];
  /** RFC 8628 device authorization grant (oauth/device/). */
  readonly device: DeviceConfig;
}

export interface DeviceConfig {
  /** DEVICE_CODE_TTL: how long a device and user code pair lives. Default 10m (1m-1h). */
  readonly codeTtlMs: number;
  /** DEVICE_POLL_INTERVAL: the `interval` a device waits between polls. Default 5s (1s-1m). */
  readonly pollIntervalSec: number;
}

export interface MetricsListen {
  readonly host: string;
  readonly port: number;
}

export interface DeliveryConfig {
  /** DELIVERY_RETRY_WINDOW: how long a message is retried before it is given up. Default 24h. */
  readonly retryWindowMs: number;
  /** DELIVERY_RETRY_INITIAL_DELAY: the wait before the second attempt; doubles. Default 2s. */
  readonly initialDelayMs: number;
  /** DELIVERY_TIMEOUT: one attempt's limit (connect, send, status). Default 10s. */
  readonly timeoutMs: number;
  /** DELIVERY_LOOPBACK_ONLY=true: contact loopback addresses only (tests). Default false. */
  readonly loopbackOnly: boolean;
}

export interface SsfConfig {
  /** SSF_POLL_WAIT_MAX: the longest a poll (RFC 8936 long polling) is held open. Default 30s. */
  readonly pollWaitMaxMs: number;
  /** SSF_EVENT_RETENTION: how long an undelivered event waits before it is dropped. Default 7d. */
  readonly eventRetentionMs: number;
}

export interface RateLimits {
  /** POST /token per authenticated client (counted after client authentication). */
  readonly tokenPerClient: Rate | null;
  /** POST /token per address, before anything is read. */
  readonly tokenPerAddress: Rate | null;
  /** POST /login per address (each attempt costs an Argon2id verification). */
  readonly loginPerAddress: Rate | null;
  /** GET/POST /authorize per address. */
  readonly authorizePerAddress: Rate | null;
  /** POST /forgot-password per address, and per email address asked for (each sends a mail). */
  readonly forgotPasswordPerAddress: Rate | null;
  readonly forgotPasswordPerAccount: Rate | null;
  /** POST /signup per address (each costs an Argon2id hash and may send a mail). */
  readonly signupPerAddress: Rate | null;
  /** User codes tried on POST /device, per address and per browser session (RFC 8628 §5.1). */
  readonly deviceCodePerAddress: Rate | null;
  readonly deviceCodePerSession: Rate | null;
  /** /admin/v1 calls per authenticated caller (a user or a client). */
  readonly adminPerCaller: Rate | null;
}

/** Start-up refused; `problems` holds one line per bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.join('\n')}`);
    this.name = 'ConfigError';
  }
}

const DEMO_DIR = fileURLToPath(new URL('../../demo/', import.meta.url));

type Env = Readonly<Record<string, string | undefined>>;

/** Reads the environment into a frozen Config, or throws a ConfigError listing every problem. */
export function loadConfig(env: Env): Config {
  const problems: string[] = [];
  const mode: Mode = env.NODE_ENV === 'production' ? 'production' : 'development';

  const issuer = readIssuer(env.ISSUER ?? 'http://idp.localhost:4000', mode, problems);
  const port = readPort(env.IDP_PORT ?? '4000', problems);
  const host = env.IDP_HOST ?? '127.0.0.1';
  const storeUrl = readStoreUrl(env.REDIS_URL ?? 'redis://127.0.0.1:6379', mode, problems);
  const redisSentinelPassword = env.REDIS_SENTINEL_PASSWORD || undefined;
  if (redisSentinelPassword !== undefined && !/^rediss?\+sentinel:/i.test(storeUrl)) {
    problems.push('REDIS_SENTINEL_PASSWORD: applies only to a redis+sentinel:// REDIS_URL');
  }
  const kek = readKeyEncryptionKey(env.KEY_ENCRYPTION_KEY, mode, problems);
  const redisAllowEviction = readBoolean(
    'REDIS_ALLOW_EVICTION',
    env.REDIS_ALLOW_EVICTION,
    problems,
  );
  const redisReplication = readReplication(env, problems);
  const database = readDatabase(env.DATABASE_URL, mode, problems);
  const workers = readWorkers(env.IDP_WORKERS, { database, storeUrl }, problems);

  const duration = (name: string, fallback: string, min: number, max: number): number => {
    const raw = env[name] ?? fallback;
    const ms = parseDuration(raw);
    if (ms === null) {
      problems.push(`${name}: "${raw}" is not a duration such as 90s, 15m, 12h or 7d`);
      return parseDuration(fallback) ?? 0;
    }
    if (ms < min || ms > max) {
      problems.push(`${name}: must be between ${formatDuration(min)} and ${formatDuration(max)}`);
    }
    return ms;
  };
  const MIN = 60_000;
  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;
  // Intervals of seconds exist for tests and demos of rotation; production uses hours or days.
  const keyRotationIntervalMs = duration('KEY_ROTATION_INTERVAL', '24h', 5_000, 365 * DAY);
  const accessTokenTtlMs = duration('ACCESS_TOKEN_TTL', '10m', MIN, 24 * HOUR);
  const idTokenTtlMs = duration('ID_TOKEN_TTL', '15m', MIN, 24 * HOUR);
  const refreshTokenTtlMs = duration('REFRESH_TOKEN_TTL', '7d', 5 * MIN, 365 * DAY);
  // Unset, it follows a REFRESH_TOKEN_TTL shorter than its default; set, it must fit under it.
  const publicClientRefreshIdleTtlMs = Math.min(
    duration('PUBLIC_CLIENT_REFRESH_IDLE_TTL', '1d', 5 * MIN, 365 * DAY),
    env.PUBLIC_CLIENT_REFRESH_IDLE_TTL === undefined ? refreshTokenTtlMs : Infinity,
  );
  if (publicClientRefreshIdleTtlMs > refreshTokenTtlMs) {
    problems.push('PUBLIC_CLIENT_REFRESH_IDLE_TTL: must not be longer than REFRESH_TOKEN_TTL');
  }
  const sessionIdleTtlMs = duration('SESSION_IDLE_TTL', '1h', MIN, 30 * DAY);
  const sessionMaxTtlMs = duration('SESSION_MAX_TTL', '12h', MIN, 365 * DAY);
  // At least a day: the audit table refuses to delete anything younger (migration 008).
  const auditRetentionMs = duration('AUDIT_RETENTION', '90d', DAY, 10 * 365 * DAY);
  // Each refresh is one query of a small table; under 100ms would be a busy loop, over an hour
  // would leave a deleted client usable on the other instances for too long.
  const clientsRefreshIntervalMs = duration('CLIENTS_REFRESH_INTERVAL', '5s', 100, HOUR);
  const userCacheTtlMs = ['off', '0'].includes(env.USER_CACHE_TTL?.trim() ?? '')
    ? 0
    : duration('USER_CACHE_TTL', '60s', 1_000, 10 * MIN);
  const ssf: SsfConfig = Object.freeze({
    pollWaitMaxMs: duration('SSF_POLL_WAIT_MAX', '30s', 1_000, 5 * MIN),
    eventRetentionMs: duration('SSF_EVENT_RETENTION', '7d', HOUR, 90 * DAY),
  });
  if (sessionIdleTtlMs > sessionMaxTtlMs) {
    problems.push('SESSION_IDLE_TTL: must not be longer than SESSION_MAX_TTL');
  }

  const alg = env.ACCESS_TOKEN_SIGNING_ALG ?? 'ES256';
  if (!isSigningAlgorithm(alg)) {
    problems.push(`ACCESS_TOKEN_SIGNING_ALG: must be one of ${SIGNING_ALGORITHMS.join(', ')}`);
  }

  const logLevel = env.LOG_LEVEL ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    problems.push('LOG_LEVEL: must be one of debug, info, warn, error');
  }

  const rate = (name: string, fallback: string): Rate | null => {
    const raw = env[name] ?? fallback;
    const parsed = parseRate(raw);
    if (parsed !== undefined) return parsed;
    problems.push(`${name}: "${raw}" is not a rate such as 600/1m or 5/2s (window 1s-1d), or off`);
    return null;
  };
  // Why these numbers: see "Request-rate limits" in the IdP README.
  const rateLimits: RateLimits = {
    tokenPerClient: rate('RATE_LIMIT_TOKEN_PER_CLIENT', '12000/1m'),
    tokenPerAddress: rate('RATE_LIMIT_TOKEN_PER_ADDRESS', '24000/1m'),
    loginPerAddress: rate('RATE_LIMIT_LOGIN_PER_ADDRESS', '300/1m'),
    authorizePerAddress: rate('RATE_LIMIT_AUTHORIZE_PER_ADDRESS', '1200/1m'),
    forgotPasswordPerAddress: rate('RATE_LIMIT_FORGOT_PASSWORD_PER_ADDRESS', '30/15m'),
    forgotPasswordPerAccount: rate('RATE_LIMIT_FORGOT_PASSWORD_PER_ACCOUNT', '5/15m'),
    signupPerAddress: rate('RATE_LIMIT_SIGNUP_PER_ADDRESS', '20/1h'),
    deviceCodePerAddress: rate('RATE_LIMIT_DEVICE_CODE_PER_ADDRESS', '10/1m'),
    adminPerCaller: rate('RATE_LIMIT_ADMIN_PER_CALLER', '600/1m'),
    deviceCodePerSession: rate('RATE_LIMIT_DEVICE_CODE_PER_SESSION', '10/1m'),
  };
  const rateLimitStoreBudgetMs = duration('RATE_LIMIT_STORE_BUDGET', '100ms', 10, 10_000);
  const trustedProxies = readTrustedProxies(env.TRUSTED_PROXIES ?? '', problems);
  const mail = readMailConfig(env, mode, problems);
  const selfRegistration = readBoolean('SELF_REGISTRATION', env.SELF_REGISTRATION, problems);
  const requirePar = readBoolean('REQUIRE_PAR', env.REQUIRE_PAR, problems);
  const dpop = Object.freeze({
    requireNonce: readBoolean('DPOP_REQUIRE_NONCE', env.DPOP_REQUIRE_NONCE, problems),
    proofWindowSec: Math.floor(duration('DPOP_PROOF_WINDOW', '60s', 1000, 10 * MIN) / 1000),
  });
  const delivery: DeliveryConfig = {
    retryWindowMs: duration('DELIVERY_RETRY_WINDOW', '24h', MIN, 30 * DAY),
    initialDelayMs: duration('DELIVERY_RETRY_INITIAL_DELAY', '2s', 100, HOUR),
    timeoutMs: duration('DELIVERY_TIMEOUT', '10s', 100, 5 * MIN),
    loopbackOnly: readBoolean('DELIVERY_LOOPBACK_ONLY', env.DELIVERY_LOOPBACK_ONLY, problems),
  };
  const device: DeviceConfig = {
    codeTtlMs: duration('DEVICE_CODE_TTL', '10m', MIN, HOUR),
    pollIntervalSec: Math.round(duration('DEVICE_POLL_INTERVAL', '5s', 1_000, MIN) / 1000),
  };
  const mfaRequiredRoles = readRoles('MFA_REQUIRED_ROLES', env.MFA_REQUIRED_ROLES, problems);

  const clientsFile = env.CLIENTS_FILE ?? (mode === 'development' ? `${DEMO_DIR}clients.json` : '');
  if (!clientsFile) problems.push('CLIENTS_FILE: required in production');
  // Dev seeds the Contract's demo users; production has only the users it is given.
  const usersFile =
    env.USERS_FILE || (mode === 'development' ? `${DEMO_DIR}users.json` : undefined);

  const metrics = readMetrics(env, host, port, problems);
  if (problems.length > 0) throw new ConfigError(problems);

  return Object.freeze({
    mode,
    issuer,
    host,
    port,
    storeUrl,
    redisSentinelPassword,
    redisAllowEviction,
    redisReplication,
    database,
    workers,
    keyEncryptionKey: kek ?? randomBytes(32),
    keyEncryptionKeyIsEphemeral: kek === null,
    clientsFile,
    clientsRefreshIntervalMs,
    userCacheTtlMs,
    usersFile,
    accessTokenAlg: alg as SigningAlgorithm,
    keyRotationIntervalMs,
    accessTokenTtlMs,
    idTokenTtlMs,
    refreshTokenTtlMs,
    publicClientRefreshIdleTtlMs,
    sessionIdleTtlMs,
    sessionMaxTtlMs,
    // A verifier must never cache the key set for longer than a new key waits before it
    // signs (one rotation interval), or it could meet an unknown kid in normal rotation.
    jwksMaxAgeSec: Math.max(1, Math.min(300, Math.floor(keyRotationIntervalMs / 4000))),
    logLevel: logLevel as LogLevel,
    rateLimits: Object.freeze(rateLimits),
    rateLimitStoreBudgetMs,
    trustedProxies: Object.freeze(trustedProxies),
    mail,
    selfRegistration,
    requirePar,
    dpop,
    auditRetentionMs,
    metrics,
    ssf,
    delivery: Object.freeze(delivery),
    mfaRequiredRoles: Object.freeze(mfaRequiredRoles),
    device: Object.freeze(device),
  });
}

function readIssuer(raw: string, mode: Mode, problems: string[]): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push(`ISSUER: "${raw}" is not an absolute URL`);
    return raw;
  }
  // OIDC Discovery §3: the issuer is an https URL with no query or fragment.
  if (url.search || url.hash) problems.push('ISSUER: must not have a query or fragment');
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    problems.push('ISSUER: must be an http(s) URL');
  } else if (url.protocol === 'http:' && mode === 'production' && !isLoopbackHost(url.hostname)) {
    problems.push('ISSUER: must use https in production');
  }
  return url.href.replace(/\/+$/, '');
}

function readTrustedProxies(raw: string, problems: string[]): ProxyEntry[] {
  const entries: ProxyEntry[] = [];
  const bad: string[] = [];
  for (const text of raw.split(',')) {
    if (text.trim() === '') continue;
    const entry = parseProxyEntry(text);
    if (entry) entries.push(entry);
    else bad.push(text.trim());
  }
  if (bad.length > 0) {
    problems.push(
      'TRUSTED_PROXIES: each entry must be an IP address or CIDR block (e.g. 10.0.0.0/8, ::1): ' +
        bad.map((text) => JSON.stringify(text.slice(0, 60))).join(', '),
    );
  }
  return entries;
}

/** At most this many workers: beyond it, a typo (IDP_WORKERS=1000) rather than a machine. */
const MAX_WORKERS = 64;

/**
 * Workers share nothing but Redis and the database, so more than one needs both to be
 * shareable: an embedded PGlite belongs to one process, and memory:// is each process's own.
 */
function readWorkers(
  raw: string | undefined,
  state: { database: DatabaseTarget; storeUrl: string },
  problems: string[],
): number {
  const unshared =
    state.database.kind === 'pglite'
      ? 'DATABASE_URL names an embedded PGlite, which one process owns'
      : state.storeUrl === 'memory://'
        ? 'REDIS_URL is memory://, which each process holds alone'
        : null;
  if (raw === undefined || raw === '') return unshared ? 1 : availableParallelism();
  const workers = Number(raw);
  if (!/^\d{1,3}$/.test(raw) || workers < 1 || workers > MAX_WORKERS) {
    problems.push(`IDP_WORKERS: "${raw}" is not a number of processes (1-${MAX_WORKERS})`);
    return 1;
  }
  if (workers > 1 && unshared) {
    problems.push(
      `IDP_WORKERS: ${workers} workers need state they can share, but ${unshared}; use 1, or a PostgreSQL server and Redis`,
    );
  }
  return workers;
}

function readPort(raw: string, problems: string[], name = 'IDP_PORT'): number {
  const port = Number(raw);
  if (!/^\d{1,5}$/.test(raw) || port < 1 || port > 65535) {
    problems.push(`${name}: "${raw}" is not a port number (1-65535)`);
  }
  return port;
}

function readMetrics(
  env: Env,
  host: string,
  port: number,
  problems: string[],
): MetricsListen | null {
  if (env.METRICS_PORT === undefined || env.METRICS_PORT === '') return null;
  const metricsPort = readPort(env.METRICS_PORT, problems, 'METRICS_PORT');
  const metricsHost = env.METRICS_HOST ?? host;
  if (metricsPort === port && metricsHost === host) {
    problems.push('METRICS_PORT: must not be IDP_PORT (metrics stay off the public port)');
  }
  return { host: metricsHost, port: metricsPort };
}

/**
 * A replicated topology (Sentinel, Cluster: their schemes) waits for one replica by default; a
 * single `redis://` has none to wait for. Only the scheme is read here; the URL is parsed with
 * the rest of REDIS_URL. The timeout stays under the store's 1 s command timeout, since WAIT
 * holds the IdP's Redis connection while it waits.
 */
export function readReplication(env: Env, problems: string[]): Config['redisReplication'] {
  const url = env.REDIS_URL ?? '';
  const replicated = /^redis\+(sentinel|cluster)s?:/i.test(url);
  const whole = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = /^\d{1,6}$/.test(raw) ? Number(raw) : NaN;
    if (!(value >= min && value <= max)) {
      problems.push(`${name}: must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return value;
  };
  const replicas = whole('REDIS_WAIT_REPLICAS', replicated ? 1 : 0, 0, 16);
  if (replicas > 0 && url.startsWith('memory:')) {
    problems.push('REDIS_WAIT_REPLICAS: memory:// has no replicas; leave it unset or 0');
  }
  const timeoutMs = whole('REDIS_WAIT_TIMEOUT_MS', 500, 10, 900);
  return Object.freeze({ replicas, timeoutMs });
}

function readStoreUrl(raw: string, mode: Mode, problems: string[]): string {
  if (raw === 'memory://') {
    if (mode === 'production') {
      problems.push('REDIS_URL: memory:// keeps sessions in one process; use Redis in production');
    }
    return raw;
  }
  try {
    // The same reading as the store's and the SDK's; its messages never repeat the value,
    // which may hold a password.
    parseRedisUrl(raw, 'REDIS_URL');
  } catch (error) {
    if (!(error instanceof RedisUrlError)) throw error;
    problems.push(error.message);
  }
  return raw;
}

/** A comma-separated list of role names (users/account-input.ts spells what a role may be). */
function readRoles(name: string, raw: string | undefined, problems: string[]): string[] {
  const roles = (raw ?? '')
    .split(',')
    .map((role) => role.trim())
    .filter(Boolean);
  const bad = roles.filter((role) => !/^[A-Za-z0-9._:-]{1,64}$/.test(role));
  if (bad.length > 0) problems.push(`${name}: each role 1-64 characters of A-Z a-z 0-9 . _ : -`);
  return [...new Set(roles)];
}

/** `true` or `false` (default); anything else is a mistake worth stopping for. */
function readBoolean(name: string, raw: string | undefined, problems: string[]): boolean {
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  problems.push(`${name}: must be true or false`);
  return false;
}

function readDatabase(raw: string | undefined, mode: Mode, problems: string[]): DatabaseTarget {
  const fallback: DatabaseTarget = { kind: 'pglite', path: '.latchkey/db' };
  if (raw === undefined || raw === '') {
    // Production must say where its users live: a folder by accident would lose them.
    if (mode === 'production') problems.push('DATABASE_URL: required in production');
    return fallback;
  }
  const target = parseDatabaseUrl(raw);
  if (target) return target;
  // Never echo the value: a server URL may carry a password.
  problems.push(
    'DATABASE_URL: must be postgres://…, postgresql://…, pglite://PATH or pglite://memory',
  );
  return fallback;
}

function readKeyEncryptionKey(
  raw: string | undefined,
  mode: Mode,
  problems: string[],
): Buffer | null {
  if (raw === undefined || raw === '') {
    if (mode === 'production') problems.push('KEY_ENCRYPTION_KEY: required in production');
    return null;
  }
  const key = /^[A-Za-z0-9_-]{43}$/.test(raw) ? Buffer.from(raw, 'base64url') : null;
  if (!key || key.length !== 32) {
    problems.push(
      'KEY_ENCRYPTION_KEY: must be 32 random bytes in base64url (43 characters); ' +
        'make one with: node -e "console.log(crypto.randomBytes(32).toString(\'base64url\'))"',
    );
    return null;
  }
  return key;
}
