import { parseRedisUrl, RedisUrlError, type RedisTarget } from '@latchkey/protocol';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { checkMetrics, type SdkMetrics } from '../metrics/sdk-metrics.js';
import { createSubscriberPlacement, type SubscriberPlacement } from './cluster-subscriber.js';

/** Where the source reports what it cannot throw: connection trouble, recovery. */
export interface RevocationLogger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
}

export interface RedisRevocationSourceOptions {
  /**
   * URL of the Redis the IdP writes revocations to, in the same forms as the IdP's REDIS_URL:
   * `redis://…`, `rediss://…`, `redis+sentinel://host:port,…/MASTER_NAME`,
   * `redis+cluster://host:port,…` (and `rediss+…` for TLS). Give this or `redis`, not both.
   */
  url?: string;
  /** With a `redis+sentinel://` url: the sentinels' own password, when they require one. */
  sentinelPassword?: string;
  /**
   * An ioredis client whose connection options (host, TLS, auth, db, Sentinel, retry strategy)
   * the source copies with `duplicate()`. The source opens its own two connections and never
   * uses or closes this client.
   */
  redis?: Redis;
  /**
   * How old, in ms, the revoked set may be before `check` stops trusting it. The state is
   * confirmed by each complete load and then by a heartbeat on the subscription every
   * quarter of this. Default `30000`.
   */
  maxStalenessMs?: number;
  /**
   * When the state is too old: `false` (default) throws `RevocationStaleError` (503), so a
   * token revoked during a Redis outage is never accepted; `true` keeps answering from the last
   * known state, trading that guarantee for availability. Before the first complete load there
   * is no state to answer from, so `check` throws either way.
   */
  failOpen?: boolean;
  /** Clock in epoch ms, used for staleness and expiry. Default `Date.now`. */
  now?: () => number;
  /** Connection trouble and recovery are reported here. Default: no logging. */
  logger?: RevocationLogger;
  /**
   * Where to count the notices applied, their lag from the IdP, and whether the state is
   * stale: the same `createPrometheusMetrics(registry)` object given to `createVerifier`.
   * Default: none.
   */
  metrics?: SdkMetrics;
}

export interface ResolvedRedisSourceOptions {
  maxStalenessMs: number;
  failOpen: boolean;
  now: () => number;
  logger: RevocationLogger;
  metrics: SdkMetrics | undefined;
  /** Opens the source's two connections, not yet connected. */
  open: () => SourceConnections;
}

export interface SourceConnections {
  /** Loads the set: a Cluster client on a cluster, reading each key on its slot's master. */
  commands: Redis | Cluster;
  /** Subscribes and carries the heartbeat: always one plain connection. */
  subscriber: Redis;
  /** On a cluster: the node the subscriber listens on, which the source keeps on the right one. */
  placement?: SubscriberPlacement;
}

export const DEFAULT_MAX_STALENESS_MS = 30_000;

const silentLogger: RevocationLogger = { info() {}, warn() {} };

/** Checks every option once, at construction (TypeError), like `createVerifier`. */
export function resolveRedisSourceOptions(
  options: RedisRevocationSourceOptions,
): ResolvedRedisSourceOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('revocation source options must be an object');
  }
  const { url, redis } = options;
  if ((url === undefined) === (redis === undefined)) {
    throw new TypeError('give exactly one of url and redis');
  }
  let target: RedisTarget | undefined;
  if (url !== undefined) {
    try {
      target = parseRedisUrl(url, 'url');
    } catch (error) {
      if (error instanceof RedisUrlError) throw new TypeError(error.message);
      throw error;
    }
  }
  const { sentinelPassword } = options;
  if (sentinelPassword !== undefined && target?.kind !== 'sentinel') {
    throw new TypeError('sentinelPassword applies only to a redis+sentinel:// url');
  }
  if (redis !== undefined && typeof (redis as Partial<Redis> | null)?.duplicate !== 'function') {
    throw new TypeError('redis must be an ioredis client');
  }

  const maxStalenessMs = options.maxStalenessMs ?? DEFAULT_MAX_STALENESS_MS;
  if (
    typeof maxStalenessMs !== 'number' ||
    !Number.isFinite(maxStalenessMs) ||
    maxStalenessMs <= 0
  ) {
    throw new TypeError('maxStalenessMs must be a positive finite number');
  }
  const failOpen = options.failOpen ?? false;
  if (typeof failOpen !== 'boolean') throw new TypeError('failOpen must be a boolean');
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw new TypeError('now must be a function');
  const logger = options.logger ?? silentLogger;
  if (
    typeof logger !== 'object' ||
    logger === null ||
    typeof logger.info !== 'function' ||
    typeof logger.warn !== 'function'
  ) {
    throw new TypeError('logger must have info and warn functions');
  }

  const open = (): SourceConnections => {
    if (redis) {
      return {
        commands: redis.duplicate(connectionOptions('commands')),
        subscriber: redis.duplicate(connectionOptions('subscriber')),
      };
    }
    return openTarget(target!, sentinelPassword);
  };
  const metrics = checkMetrics(options.metrics);
  return { maxStalenessMs, failOpen, now, logger, metrics, open };
}

function connectionOptions(role: 'commands' | 'subscriber'): RedisOptions {
  const common: RedisOptions = {
    lazyConnect: true,
    // The revocation keys are absolute names shared with the IdP, never under an app's prefix.
    keyPrefix: '',
    // Nothing waits for a connection: a command issued while down fails at once and the
    // source retries on its own schedule, so stale state is noticed rather than queued behind.
    enableOfflineQueue: false,
    // Settles commands cut off by a reconnect (without it ioredis drops them unsettled).
    autoResendUnfulfilledCommands: true,
    connectionName: `latchkey-revocation-${role}`,
    // No commandTimeout (see the re-subscribe note below): the source bounds its own load and
    // heartbeat and reconnects a connection that does not answer within maxStalenessMs.
    commandTimeout: undefined,
  };
  if (role === 'commands') return common;
  // ioredis re-subscribes after a reconnect without looking at the result, so a failure there
  // (a commandTimeout, notably) is an unhandled rejection. The source subscribes itself on
  // every 'ready' instead.
  return { ...common, autoResubscribe: false };
}

/**
 * The connections to what the URL names. On a cluster, the commands go through ioredis's
 * Cluster client (each key read on the master serving its slot); the subscriber is one plain
 * connection to one node (see cluster-subscriber.ts for which, and why). Every reconnect is a
 * 'ready' after which the source re-subscribes and reloads the whole set, as on a single server.
 */
function openTarget(target: RedisTarget, sentinelPassword: string | undefined): SourceConnections {
  const commands = connectionOptions('commands');
  const subscriber = connectionOptions('subscriber');
  switch (target.kind) {
    case 'standalone':
      return {
        commands: new Redis(target.url, commands),
        subscriber: new Redis(target.url, subscriber),
      };
    case 'sentinel': {
      const sentinelOptions = {
        sentinels: target.sentinels,
        name: target.masterName,
        username: target.username,
        password: target.password,
        sentinelPassword,
        ...(target.tls ? { tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true } : {}),
      };
      return {
        commands: new Redis({ ...commands, ...sentinelOptions }),
        subscriber: new Redis({ ...subscriber, ...sentinelOptions }),
      };
    }
    case 'cluster': {
      const auth = {
        username: target.username,
        password: target.password,
        ...(target.tls ? { tls: {} } : {}),
      };
      const { lazyConnect, enableOfflineQueue, ...redisOptions } = commands;
      const placement = createSubscriberPlacement(target.seeds);
      const connection: Redis = new Redis({
        ...subscriber,
        ...auth,
        ...target.seeds[0],
        retryStrategy: (attempt) => {
          // ioredis reconnects with the options object it was given: pointing it at another
          // node makes the retry go there.
          Object.assign(connection.options, placement.nextTarget());
          return Math.min(attempt * 100, 2000);
        },
      });
      return {
        commands: new Cluster(target.seeds, {
          redisOptions: { ...redisOptions, ...auth },
          lazyConnect,
          enableOfflineQueue,
          // A replica may lag behind a revocation just written.
          scaleReads: 'master',
        }),
        subscriber: connection,
        placement,
      };
    }
  }
}
