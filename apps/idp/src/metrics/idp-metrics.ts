import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { AuditEventInput } from '../audit/audit-event.js';

/**
 * What the IdP counts for Prometheus (METRICS_PORT). One object, made once with the registry
 * it registers on, passed to whatever counts: no global registry, so two IdPs in one test
 * process count apart. `NO_METRICS` costs a function call where metrics are off.
 */
export interface IdpMetrics {
  request(route: string, method: string, status: number, seconds: number): void;
  tokenIssued(grantType: string, clientId: string): void;
  rateLimited(scope: string): void;
  /** Logins, refusals, revocations and key changes, read off the audit events. */
  audited(event: AuditEventInput): void;
  databaseQuery(seconds: number, failed: boolean): void;
}

export const NO_METRICS: IdpMetrics = {
  request() {},
  tokenIssued() {},
  rateLimited() {},
  audited() {},
  databaseQuery() {},
};

/** Seconds; from a cached JWKS answer (~50 µs) to an Argon2id login (~100 ms and more). */
const REQUEST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const QUERY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1];

/**
 * A metric's labelled child, looked up once per label set: prom-client hashes the label
 * object on every `observe`/`inc` otherwise, which is most of a metric's cost on the paths
 * that run per request. Label sets are few (routes, statuses, clients), so the map stays small.
 */
function children<Child>(make: (...values: string[]) => Child): (...values: string[]) => Child {
  const made = new Map<string, Child>();
  return (...values) => {
    const key = values.join('\u0000');
    let child = made.get(key);
    if (child === undefined) {
      child = make(...values);
      made.set(key, child);
    }
    return child;
  };
}

export function createIdpMetrics(registry: Registry): IdpMetrics {
  const registers = [registry];
  const requests = new Histogram({
    name: 'latchkey_http_request_duration_seconds',
    help: 'HTTP requests by route, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: REQUEST_BUCKETS,
    registers,
  });
  const tokens = new Counter({
    name: 'latchkey_tokens_issued_total',
    help: 'Successful /token responses by grant type and client',
    labelNames: ['grant_type', 'client'] as const,
    registers,
  });
  const limited = new Counter({
    name: 'latchkey_rate_limited_total',
    help: 'Requests refused by a rate limit, by limit',
    labelNames: ['limit'] as const,
    registers,
  });
  const logins = new Counter({
    name: 'latchkey_logins_total',
    help: 'Login attempts by outcome (succeeded, or the reason it failed)',
    labelNames: ['outcome'] as const,
    registers,
  });
  const refusals = new Counter({
    name: 'latchkey_refusals_total',
    help: 'Refused client authentications and grants, by OAuth error',
    labelNames: ['kind', 'error'] as const,
    registers,
  });
  const revocations = new Counter({
    name: 'latchkey_revocations_published_total',
    help: 'Session revocations published to the services, by reason',
    labelNames: ['reason'] as const,
    registers,
  });
  const keyChanges = new Counter({
    name: 'latchkey_signing_key_changes_total',
    help: 'Signing keys activated or revoked',
    labelNames: ['change'] as const,
    registers,
  });
  const deliveries = new Counter({
    name: 'latchkey_deliveries_total',
    help: 'Attempts to deliver back-channel logout tokens and SSF pushes, by kind and result',
    labelNames: ['kind', 'result'] as const,
    registers,
  });
  const queries = new Histogram({
    name: 'latchkey_database_query_duration_seconds',
    help: 'PostgreSQL queries of the directory, audit and keys',
    labelNames: ['outcome'] as const,
    buckets: QUERY_BUCKETS,
    registers,
  });
  const requestsBy = children((route, method, status) => requests.labels(route, method, status));
  const tokensBy = children((grantType, client) => tokens.labels(grantType, client));
  return {
    request: (route, method, status, seconds) =>
      requestsBy(route, method, String(status)).observe(seconds),
    tokenIssued: (grantType, client) => tokensBy(grantType, client).inc(),
    rateLimited: (limit) => limited.inc({ limit }),
    audited(event) {
      const reason = (name: string) => String(event.detail?.[name] ?? 'unknown');
      switch (event.type) {
        case 'login.succeeded':
          return logins.inc({ outcome: 'succeeded' });
        case 'login.failed':
          return logins.inc({ outcome: reason('reason') });
        case 'client.authentication_failed':
          return refusals.inc({ kind: 'client_authentication', error: 'invalid_client' });
        case 'grant.refused':
          return refusals.inc({ kind: 'grant', error: reason('error') });
        case 'session.revoked':
          return revocations.inc({ reason: reason('reason') });
        case 'key.rotated':
          return keyChanges.inc({ change: 'activated' });
        case 'key.revoked':
          return keyChanges.inc({ change: 'revoked' });
        case 'delivery.delivered':
        case 'delivery.retry_scheduled':
        case 'delivery.failed':
          return deliveries.inc({ kind: reason('kind'), result: event.type.slice(9) });
        default:
          return undefined;
      }
    },
    databaseQuery: (seconds, failed) =>
      queries.observe({ outcome: failed ? 'error' : 'ok' }, seconds),
  };
}

/** Gauges read when Prometheus scrapes: nothing is kept up to date between scrapes. */
export function registerGauges(
  registry: Registry,
  sources: {
    keys: () => readonly { alg: string; state: string; activatedAt: number | null }[];
    rotationIntervalMs: number;
    pingStore: () => Promise<void>;
    /** Live IdP sessions (the store's index of them, see sessions/session.ts). */
    countSessions: () => Promise<number>;
    now?: () => number;
  },
): void {
  const now = sources.now ?? Date.now;
  const registers = [registry];
  const active = () => sources.keys().filter((key) => key.state === 'active');
  new Gauge({
    name: 'latchkey_signing_key_age_seconds',
    help: 'Age of the active signing key, by algorithm',
    labelNames: ['alg'] as const,
    // Every worker sees the same keys: one value, not their sum (IDP_WORKERS).
    aggregator: 'max',
    registers,
    collect() {
      for (const key of active()) {
        this.set({ alg: key.alg }, (now() - (key.activatedAt ?? now())) / 1000);
      }
    },
  });
  new Gauge({
    name: 'latchkey_signing_key_next_rotation_seconds',
    help: 'Time until the active signing key is due for rotation, by algorithm',
    labelNames: ['alg'] as const,
    // As above.
    aggregator: 'min',
    registers,
    collect() {
      for (const key of active()) {
        const due = (key.activatedAt ?? now()) + sources.rotationIntervalMs;
        this.set({ alg: key.alg }, Math.max(0, (due - now()) / 1000));
      }
    },
  });
  new Gauge({
    name: 'latchkey_active_sessions',
    help: 'Live IdP (single sign-on) sessions, all instances together',
    // Read from Redis by every worker alike: one value, not their sum.
    aggregator: 'max',
    registers,
    async collect() {
      try {
        this.set(await sources.countSessions());
      } catch {
        // No sample rather than a wrong one, and the rest of the scrape still answers; the
        // Redis ping below reports the outage.
        this.reset();
      }
    },
  });
  const redisErrors = new Counter({
    name: 'latchkey_redis_ping_errors_total',
    help: 'Redis pings at scrape time that failed',
    registers,
  });
  new Gauge({
    name: 'latchkey_redis_ping_seconds',
    help: 'Round trip of one Redis command, measured at scrape time (-1: failed)',
    // -1 when any worker failed to reach Redis.
    aggregator: 'min',
    registers,
    async collect() {
      const started = process.hrtime.bigint();
      try {
        await sources.pingStore();
        this.set(Number(process.hrtime.bigint() - started) / 1e9);
      } catch {
        redisErrors.inc();
        this.set(-1);
      }
    },
  });
}
