import {
  decodeStoreLayout,
  isCompatibleStoreLayout,
  isRevocationReloadNotice,
  readRevocationNotice,
  revocationKeys,
  STORE_LAYOUT_VERSION,
  storeLayoutKey,
} from '@latchkey/protocol';
import type { Cluster, Redis } from 'ioredis';
import {
  KeyRevokedError,
  RevocationLayoutError,
  RevocationStaleError,
  TokenRevokedError,
} from '../errors.js';
import { abortable } from '../lib/abortable.js';
import { closeRedis } from '../lib/redis-close.js';
import { lagSeconds } from '../metrics/sdk-metrics.js';
import { noticesMaster } from './cluster-subscriber.js';
import { parseRevocationRange } from './range-reply.js';
import {
  resolveRedisSourceOptions,
  type RedisRevocationSourceOptions,
} from './redis-source-options.js';
import { createRevokedSet } from './revoked-set.js';
import type { RevocationSource } from './revocation-source.js';

export interface RedisRevocationSource extends RevocationSource {
  /** Throws `KeyRevokedError` when the IdP revoked the signing key `kid` (see RevocationSource). */
  checkKey(kid: string): void;
  /**
   * Resolves once the revoked set has been loaded completely for the first time (until then
   * `check` throws `RevocationStaleError`). Never times out by itself; pass a `signal`
   * (e.g. `AbortSignal.timeout(5000)`) to bound the wait. Rejects if the source is closed first.
   */
  ready(options?: { signal?: AbortSignal }): Promise<void>;
  /** Disconnects both connections and stops every timer. Idempotent. */
  close(): Promise<void>;
  /** A snapshot for health checks and metrics. */
  readonly status: RevocationSourceStatus;
}

export interface RevocationSourceStatus {
  /**
   * `starting`: no complete load yet. `synced`: subscribed and loaded on the current
   * connection. `resyncing`: the subscription was lost; answering from the last state until
   * it is `maxStalenessMs` old. `closed`.
   */
  state: 'starting' | 'synced' | 'resyncing' | 'closed';
  /** Epoch ms up to which no revocation can have been missed; undefined before the first load. */
  confirmedAt: number | undefined;
  /** Whether the state is older than `maxStalenessMs` (or was never loaded). */
  stale: boolean;
  /** Revoked sessions and subjects held in memory. */
  entries: number;
}

/**
 * The revoked set, kept in memory from Redis (see `@latchkey/protocol` revocation.ts): loaded
 * on connect, updated by pushed notices, reloaded after every reconnect, expired entries
 * dropped. One connection subscribes and carries the heartbeat; the other loads the set.
 */
export function createRedisRevocationSource(
  options: RedisRevocationSourceOptions,
): RedisRevocationSource {
  const { maxStalenessMs, failOpen, now, logger, metrics, open } =
    resolveRedisSourceOptions(options);
  const revoked = createRevokedSet();
  const { commands, subscriber, placement } = open();

  let closed = false;
  // Bumped whenever the subscriber connection drops: work started on an older connection
  // (a load, a ping) can then no longer vouch for the state.
  let connection = 0;
  let subscribingOn = -1;
  let subscribedOn = -1;
  let loadingOn = -1;
  /** A reload notice arrived while a load was under way: load once more after it. */
  let reloadAfterLoad = false;
  let synced = false;
  let confirmedAt: number | undefined;
  let pinging = false;
  let locating: Promise<boolean> | undefined;
  let reportedStale = false;
  // Set while the Redis holds another key layout: its set may be misread or miss revocations.
  let layoutError: RevocationLayoutError | undefined;

  let resolveLoaded!: () => void;
  let rejectLoaded!: (error: Error) => void;
  let loaded!: Promise<void>;
  const awaitLoad = (): void => {
    loaded = new Promise<void>((resolve, reject) => {
      resolveLoaded = resolve;
      rejectLoaded = reject;
    });
    loaded.catch(() => {}); // observed through ready(); closing before a load is no crash
  };
  awaitLoad();

  const isStale = (at: number): boolean =>
    confirmedAt === undefined || at - confirmedAt > maxStalenessMs;

  function confirm(at: number): void {
    confirmedAt = confirmedAt === undefined ? at : Math.max(confirmedAt, at);
    if (reportedStale) logger.info('revocation.recovered');
    reportedStale = false;
  }

  subscriber.on('message', (channel: string, message: string) => {
    if (channel !== revocationKeys.channel) return;
    if (isRevocationReloadNotice(message)) {
      reload();
      return;
    }
    const notice = readRevocationNotice(message);
    // The channel is shared and pub/sub is unauthenticated: ignore what does not parse.
    if (notice === null) {
      logger.warn('revocation.notice_ignored');
      return;
    }
    const at = now();
    revoked.apply(notice.revocation, at);
    metrics?.revocationApplied('redis', notice.revocation.kind, lagSeconds(notice.revokedAt, at));
  });
  subscriber.on('ready', () => void subscribe(connection));
  subscriber.on('close', () => {
    connection += 1;
    if (synced && !closed) logger.warn('revocation.subscription_lost');
    synced = false;
  });
  commands.on('ready', () => {
    if (subscribedOn === connection && !synced) void load(connection);
  });
  for (const [role, client] of [
    ['subscriber', subscriber],
    ['commands', commands],
  ] as const) {
    // Without a listener ioredis reports errors on the console; they are expected during an
    // outage and the staleness bound already handles them.
    client.on('error', (error: Error) => {
      if (!closed) logger.warn('revocation.redis_error', { role, message: error.message });
    });
    client.on('end', () => {
      if (!closed) logger.warn('revocation.redis_gave_up', { role });
    });
  }

  // Subscribe first, then load: a revocation published after the subscription is received,
  // and one published before it was written to the set before it was published.
  async function subscribe(on: number): Promise<void> {
    if (subscribingOn === on) return;
    subscribingOn = on;
    try {
      // On a cluster, only on the node the notices go through (see cluster-subscriber.ts).
      if (!(await listensWhereNoticesArePublished())) return;
      await bounded(
        subscriber.subscribe(revocationKeys.channel),
        subscriber,
        'revocation.subscribe_timeout',
      );
    } catch (error) {
      if (!closed) logger.warn('revocation.subscribe_failed', { message: messageOf(error) });
      return;
    } finally {
      if (subscribingOn === on) subscribingOn = -1;
    }
    if (on !== connection || closed) return;
    subscribedOn = on;
    // The commands connection's own 'ready' loads when it comes up later: loading before
    // that would only fail and log a warning that looks like an outage.
    if (commands.status === 'ready') await load(on);
  }

  /**
   * The IdP put back revocations Redis had lost (restored from an older snapshot): load the set
   * again. A load already under way may have read it before they were back, so one more follows.
   */
  function reload(): void {
    if (loadingOn === connection) reloadAfterLoad = true;
    else if (subscribedOn === connection && commands.status === 'ready') void load(connection);
  }

  async function load(on: number): Promise<void> {
    if (loadingOn === on) return;
    loadingOn = on;
    const startedAt = now();
    try {
      // One round trip: ioredis pipelines commands sent together on one connection.
      const [layout, reply] = await bounded(
        Promise.all([
          commands.get(storeLayoutKey),
          commands.zrange(revocationKeys.set, `(${startedAt}`, '+inf', 'BYSCORE', 'WITHSCORES'),
        ]),
        commands,
        'revocation.load_timeout',
      );
      if (on !== connection || closed) return;
      if (!isCompatibleStoreLayout(layout)) {
        refuseLayout(decodeStoreLayout(layout)!);
        return;
      }
      if (layoutError !== undefined) logger.info('revocation.layout_accepted');
      layoutError = undefined;
      // Merged rather than replacing: a revocation only ever ends by expiring, so one the set
      // lost (a Redis restarted empty) stays in force here until its own expiry.
      const at = now();
      for (const revocation of parseRevocationRange(reply)) revoked.apply(revocation, at);
      synced = true;
      confirm(startedAt);
      logger.info('revocation.synced', { entries: revoked.size });
      resolveLoaded();
    } catch (error) {
      if (!closed) logger.warn('revocation.load_failed', { message: messageOf(error) });
    } finally {
      if (loadingOn === on) loadingOn = -1;
    }
    if (reloadAfterLoad && on === connection && !closed) {
      reloadAfterLoad = false;
      await load(on);
    }
  }

  /** Fails closed: retried on the timer, so a store that is put right is picked up again. */
  function refuseLayout(found: number | string): void {
    const first = layoutError === undefined;
    layoutError = new RevocationLayoutError(STORE_LAYOUT_VERSION, found);
    if (!first) return;
    logger.warn('revocation.layout_mismatch', { expected: STORE_LAYOUT_VERSION, found });
    if (confirmedAt === undefined) {
      rejectLoaded(layoutError);
      awaitLoad();
    }
  }

  function heartbeat(): void {
    if (pinging) return;
    pinging = true;
    const on = connection;
    const sentAt = now();
    // A pong on the subscription means every notice published before the ping was received,
    // provided the subscription is on the node that publishes them.
    Promise.all([
      bounded(subscriber.ping(), subscriber, 'revocation.heartbeat_timeout'),
      listensWhereNoticesArePublished(),
    ])
      .then(
        ([, placed]) => {
          if (placed && on === connection && synced) confirm(sentAt);
        },
        () => {},
      )
      .finally(() => {
        pinging = false;
      });
  }

  /**
   * Without a cluster, true. On one: asks it which master serves the notices channel now and,
   * when that is not the node the subscriber listens on, sends the subscriber there (a
   * reconnect, so a resync) and answers false. False too when the cluster does not say.
   */
  function listensWhereNoticesArePublished(): Promise<boolean> {
    if (placement === undefined) return Promise.resolve(true);
    locating ??= (async () => {
      try {
        const master = await bounded(
          noticesMaster(commands as Cluster),
          commands,
          'revocation.locate_timeout',
        );
        if (master === undefined || closed) return false;
        if (!placement.moveTo(master)) return true;
        logger.info('revocation.subscriber_moved', { to: master });
        Object.assign(subscriber.options, placement.nextTarget());
        // A subscriber between two attempts takes the new options at its next one.
        if (['connecting', 'connect', 'ready'].includes(subscriber.status)) {
          subscriber.disconnect(true);
        }
        return false;
      } catch (error) {
        if (!closed) logger.warn('revocation.locate_failed', { message: messageOf(error) });
        return false;
      } finally {
        locating = undefined;
      }
    })();
    return locating;
  }

  /**
   * No command on these connections has a timeout of its own (see redis-source-options.ts).
   * One that gets no answer within maxStalenessMs means a half-open socket: reconnect rather
   * than wait for TCP to notice. ioredis then resends the command, so it still settles.
   */
  function bounded<T>(command: Promise<T>, client: Redis | Cluster, event: string): Promise<T> {
    const timer = setTimeout(() => {
      if (closed) return;
      logger.warn(event);
      client.disconnect(true);
    }, maxStalenessMs).unref();
    return command.finally(() => clearTimeout(timer));
  }

  // Picks up where a failed subscribe or load left off; 'ready' events do it promptly.
  function retrySync(): void {
    if (subscriber.status !== 'ready') return;
    if (subscribedOn !== connection) void subscribe(connection);
    else void load(connection);
  }

  const timer = setInterval(
    () => {
      const at = now();
      revoked.sweep(at);
      if (synced) heartbeat();
      else {
        // A subscriber retrying a master that failed over learns of its successor here.
        if (subscriber.status !== 'ready') void listensWhereNoticesArePublished();
        retrySync();
      }
      if (!reportedStale && confirmedAt !== undefined && isStale(at)) {
        reportedStale = true;
        logger.warn('revocation.stale', { confirmedAt, failOpen });
      }
    },
    Math.max(10, maxStalenessMs / 4),
  );
  timer.unref(); // a background refresher must not keep the process alive

  // Failures arrive as 'error'; ioredis retries.
  void commands.connect().catch(() => {});
  if (placement === undefined) void subscriber.connect().catch(() => {});
  else {
    // Listening on the right node from the first connection: a later move would be a resync.
    commands.once('ready', () => {
      void listensWhereNoticesArePublished().finally(() => {
        if (!closed) void subscriber.connect().catch(() => {});
      });
    });
  }

  const unwatch = metrics?.watchRevocationSource('redis', () => ({
    stale: isStale(now()),
    confirmedAt,
  }));

  return {
    check(claims) {
      const at = now();
      // Not even failOpen answers from a store this version cannot read.
      if (layoutError !== undefined) throw layoutError;
      if (confirmedAt === undefined) {
        throw new RevocationStaleError('revocation state has not been loaded yet');
      }
      if (!failOpen) {
        // A dropped subscription is known at once (the socket closed): notices may be missed
        // from that moment, so the state is not trusted until the reload on the new connection.
        // maxStalenessMs bounds what cannot be seen: a connection that is silently gone.
        if (!synced) {
          throw new RevocationStaleError('revocation notices are not being received; resyncing');
        }
        if (at - confirmedAt > maxStalenessMs) {
          throw new RevocationStaleError('revocation state is older than maxStalenessMs');
        }
      }
      if (revoked.isRevoked(claims, at)) throw new TokenRevokedError('token has been revoked');
    },

    checkKey(kid) {
      if (revoked.isKeyRevoked(kid, now())) {
        throw new KeyRevokedError('the key that signed the token has been revoked');
      }
    },

    ready({ signal } = {}) {
      if (closed) return Promise.reject(new RevocationStaleError('revocation source is closed'));
      if (layoutError !== undefined) return Promise.reject(layoutError);
      return confirmedAt === undefined ? abortable(loaded, signal) : loaded;
    },

    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      synced = false;
      rejectLoaded(new RevocationStaleError('revocation source closed before its first load'));
      unwatch?.();
      await Promise.all([closeRedis(subscriber), closeRedis(commands)]);
    },

    get status(): RevocationSourceStatus {
      let state: RevocationSourceStatus['state'] = 'resyncing';
      if (closed) state = 'closed';
      else if (synced) state = 'synced';
      else if (confirmedAt === undefined) state = 'starting';
      return { state, confirmedAt, stale: isStale(now()), entries: revoked.size };
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
