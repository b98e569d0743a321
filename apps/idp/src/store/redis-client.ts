import { parseRedisUrl, type RedisTarget } from '@latchkey/protocol';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

/** A connection to a single Redis, a Sentinel-managed master, or a Redis Cluster. */
export type RedisClient = Redis | Cluster;

export interface RedisClientSettings {
  commandTimeoutMs: number;
  connectTimeoutMs: number;
  connectionName: string;
  /** Password of the sentinels themselves (REDIS_SENTINEL_PASSWORD), when they require one. */
  sentinelPassword?: string;
  /** Connect only on `connect()` (start-up checks); default false: connects at once. */
  lazyConnect?: boolean;
  /** Options that differ for one role (the subscriber's), applied last. */
  override?: RedisOptions;
  /** Cluster-level options that differ for one role, applied last. */
  clusterOverride?: Partial<ClusterOptions>;
}

/** Between reconnection attempts: a restarted Redis is found again within two seconds. */
const backoff = (attempt: number): number => Math.min(attempt * 100, 2000);

/**
 * The options every connection of the IdP's store carries, whatever the topology. Each one is
 * a safety property the store's contract relies on (see the comments).
 */
function safetyOptions(settings: RedisClientSettings): RedisOptions {
  const timeoutMs = settings.commandTimeoutMs;
  return {
    connectionName: settings.connectionName,
    connectTimeout: settings.connectTimeoutMs,
    commandTimeout: timeoutMs,
    // Fail rather than queue while disconnected (see readinessOf), and do not replay, after a
    // reconnect, a write whose caller was already told it failed: a replayed INCR or
    // compare-and-set would apply twice or apply behind the caller's back.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    // A connection whose peer vanished without closing it (a failover moving an IP, a
    // dropped network) looks healthy until TCP gives up, many minutes later. Dropping a
    // socket that has owed replies for this long forces a reconnect instead.
    socketTimeout: Math.max(timeoutMs * 3, 3000),
    // How long disconnect() waits for a socket to close before destroying it. ioredis arms
    // this timer even for a socket that is already gone (Redis down) and never clears it,
    // so its 2 s default keeps a shutting-down process alive that long for nothing.
    disconnectTimeout: 200,
    lazyConnect: settings.lazyConnect ?? false,
    ...settings.override,
  };
}

/** Builds the client the URL describes; throws RedisUrlError for a URL that is none. */
export function createRedisClient(url: string, settings: RedisClientSettings): RedisClient {
  return clientFor(parseRedisUrl(url, 'REDIS_URL'), settings);
}

export function clientFor(target: RedisTarget, settings: RedisClientSettings): RedisClient {
  const safety = safetyOptions(settings);
  switch (target.kind) {
    case 'standalone':
      return new Redis(target.url, {
        ...safety,
        retryStrategy: backoff,
        enableOfflineQueue: false,
      });
    case 'sentinel':
      return new Redis({
        ...safety,
        sentinels: target.sentinels,
        name: target.masterName,
        username: target.username,
        password: target.password,
        sentinelPassword: settings.sentinelPassword,
        ...(target.tls ? { tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true } : {}),
        // Each retry asks the sentinels again, so a failover is followed within one backoff.
        retryStrategy: backoff,
        sentinelRetryStrategy: backoff,
        sentinelCommandTimeout: settings.connectTimeoutMs,
        enableOfflineQueue: false,
        // A master demoted while we held its connection (it came back from a partition after
        // the failover) answers writes with READONLY: reconnect, which asks the sentinels for
        // the new master. 1 = reconnect without resending the failed command.
        reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 1 : false),
      });
    case 'cluster': {
      const options: ClusterOptions = {
        // The same safety options on every node connection; a node takes no retryStrategy of
        // its own: a lost node is found again through clusterNodeRetryStrategy and MOVED.
        redisOptions: {
          ...safety,
          // The cluster client routes commands itself (store/redis-store.ts says why not).
          enableAutoPipelining: false,
          username: target.username,
          password: target.password,
          ...(target.tls ? { tls: {} } : {}),
        },
        enableOfflineQueue: false,
        clusterRetryStrategy: backoff,
        // A node that restarts without slot changes (a replica) is reconnected; masters that
        // fail over are followed through MOVED and the slot map refresh below.
        clusterNodeRetryStrategy: backoff,
        // Reads go to masters: a replica may lag behind a revocation just written.
        scaleReads: 'master',
        // MOVED/ASK during resharding are followed (the command had not run), within the
        // command timeout, rather than failing a user's request.
        maxRedirections: 16,
        // 0: a command whose node connection closed under it is NOT sent again to the new
        // master: it may have run before the reply was lost, and a replayed INCR or
        // compare-and-set would apply twice. It fails (503) instead, as on a single server.
        retryDelayOnFailover: 0,
        // CLUSTERDOWN and TRYAGAIN mean the command did not run: waiting and retrying is safe.
        retryDelayOnClusterDown: 100,
        retryDelayOnTryAgain: 100,
        retryDelayOnMoved: 0,
        slotsRefreshTimeout: settings.connectTimeoutMs,
        slotsRefreshInterval: 2000,
        lazyConnect: settings.lazyConnect ?? false,
        ...settings.clusterOverride,
      };
      return new Cluster(target.seeds, options);
    }
  }
}

export function isCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster;
}
