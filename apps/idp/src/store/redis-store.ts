import { Redis } from 'ioredis';
import type { SetOptions, Store } from './store.js';
import { noopLogger, type StoreLogger } from './store-logger.js';
import { readinessOf, shutdown, watchConnection } from './redis-connection.js';
import { toStoreError } from './redis-errors.js';
import {
  addToSetScript,
  compareAndSetScript,
  countWithinLimitsScript,
  decrementScript,
  incrementScript,
} from './redis-scripts.js';
import { RedisSubscriber } from './redis-subscriber.js';
import { checkCounterLimits } from './counter-limits.js';
import { checkDurationMs, checkEpochMs } from './ttl.js';

export interface RedisStoreOptions {
  /**
   * Longest a call waits for a connection, and then for Redis's answer, before rejecting
   * with StoreUnavailableError. Default 1000.
   */
  commandTimeoutMs?: number;
  /** Longest one connection attempt may take before it is abandoned and retried. Default 2000. */
  connectTimeoutMs?: number;
  /** Connection errors (rate-limited), reconnections, exceptions thrown by subscribers. */
  logger?: StoreLogger;
}

/**
 * The shared store: every IdP instance pointed at the same Redis sees the same keys and
 * channels. Needs Redis 6.2 or later (GETDEL).
 *
 * Returns at once and connects in the background, retrying forever. While Redis is
 * unreachable every call rejects with StoreUnavailableError within about
 * `commandTimeoutMs`, so a request handler answers 503 quickly instead of hanging.
 */
export function createRedisStore(url: string, options: RedisStoreOptions = {}): Store {
  const timeoutMs = checkDurationMs(options.commandTimeoutMs ?? 1000, 'commandTimeoutMs');
  const connectTimeoutMs = checkDurationMs(options.connectTimeoutMs ?? 2000, 'connectTimeoutMs');
  const logger = options.logger ?? noopLogger;

  const client = new Redis(url, {
    connectionName: 'latchkey-idp',
    connectTimeout: connectTimeoutMs,
    // Bounded backoff: a restarted Redis is found again within two seconds of coming back.
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
    commandTimeout: timeoutMs,
    // Fail rather than queue while disconnected (see readinessOf), and do not replay, after a
    // reconnect, a write whose caller was already told it failed: a replayed INCR or
    // compare-and-set would apply twice or apply behind the caller's back.
    enableOfflineQueue: false,
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
  });
  watchConnection(client, 'command', logger);
  const ready = readinessOf(client);

  const subscriber = new RedisSubscriber(
    () => {
      const connection = client.duplicate({
        connectionName: 'latchkey-idp-subscriber',
        // ioredis sends the re-subscription after a reconnect itself and ignores its
        // outcome; a timeout or a queue flush rejecting it would be an unhandled rejection,
        // which ends the process. Without them that command can only succeed or wait.
        // Our own SUBSCRIBE calls carry their own deadline instead.
        commandTimeout: undefined,
        maxRetriesPerRequest: null,
        autoResendUnfulfilledCommands: true,
      });
      watchConnection(connection, 'subscriber', logger);
      return connection;
    },
    timeoutMs,
    logger,
  );

  let closing: Promise<void> | undefined;

  /** Waits for a connection, sends, and turns connection trouble into StoreUnavailableError. */
  async function run<T>(operation: string, command: () => Promise<T>): Promise<T> {
    if (closing) throw new Error('store closed');
    try {
      await ready(timeoutMs);
      return await command();
    } catch (error) {
      throw toStoreError(error, operation);
    }
  }

  function optionalTtl(ttlMs: number | undefined): number | undefined {
    return ttlMs === undefined ? undefined : checkDurationMs(ttlMs, 'ttlMs');
  }

  return {
    async get(key) {
      return run('GET', () => client.get(key));
    },

    async set(key, value, setOptions: SetOptions = {}) {
      const ttl = optionalTtl(setOptions.ttlMs);
      const reply = await run('SET', () => {
        if (ttl === undefined) {
          return setOptions.ifAbsent ? client.set(key, value, 'NX') : client.set(key, value);
        }
        return setOptions.ifAbsent
          ? client.set(key, value, 'PX', ttl, 'NX')
          : client.set(key, value, 'PX', ttl);
      });
      return reply === 'OK';
    },

    async compareAndSet(key, expected, value, casOptions = {}) {
      const ttl = optionalTtl(casOptions.ttlMs);
      const args = [
        expected === null ? 'absent' : 'equals',
        expected ?? '',
        value,
        ttl === undefined ? '' : String(ttl),
      ];
      const reply = await run('compareAndSet', () => compareAndSetScript.run(client, [key], args));
      return reply === 1;
    },

    async take(key) {
      return run('GETDEL', () => client.getdel(key));
    },

    async delete(...keys) {
      // DEL without keys is a syntax error in Redis; nothing to delete is simply 0.
      if (keys.length === 0) return 0;
      return run('DEL', () => client.del(...keys));
    },

    async increment(key, windowMs) {
      const window = checkDurationMs(windowMs, 'windowMs');
      const reply = await run('increment', () =>
        incrementScript.run(client, [key], [String(window)]),
      );
      if (!isCountReply(reply)) throw new Error('unexpected reply from the increment script');
      return { count: reply[0], ttlMs: reply[1] };
    },

    async countWithinLimits(counters, windowMs) {
      const window = checkDurationMs(windowMs, 'windowMs');
      checkCounterLimits(counters);
      const reply = await run('countWithinLimits', () =>
        countWithinLimitsScript.run(
          client,
          counters.map((counter) => counter.key),
          [String(window), ...counters.map((counter) => String(counter.limit))],
        ),
      );
      if (!isCountReply(reply)) throw new Error('unexpected reply from the limits script');
      return reply[0] === 1 ? { allowed: true } : { allowed: false, retryAfterMs: reply[1] };
    },

    async decrement(key) {
      await run('decrement', () => decrementScript.run(client, [key], []));
    },

    async addToSet(key, member, expiresAt) {
      checkEpochMs(expiresAt);
      await run('addToSet', () =>
        addToSetScript.run(client, [key], [String(expiresAt), member, String(Date.now())]),
      );
    },

    async setMembers(key) {
      const reply = await run('ZRANGE', () =>
        client.zrangebyscore(key, `(${Date.now()}`, '+inf', 'WITHSCORES'),
      );
      const members = new Map<string, number>();
      for (let i = 0; i + 1 < reply.length; i += 2) members.set(reply[i]!, Number(reply[i + 1]));
      return members;
    },

    countSet: (key) => run('ZCOUNT', () => client.zcount(key, `(${Date.now()}`, '+inf')),

    async removeFromSet(key, ...members) {
      if (members.length === 0) return 0;
      return run('ZREM', () => client.zrem(key, ...members));
    },

    async publish(channel, message) {
      await run('PUBLISH', () => client.publish(channel, message));
    },

    async subscribe(channel, onMessage) {
      if (closing) throw new Error('store closed');
      return subscriber.subscribe(channel, onMessage);
    },

    async ping() {
      await run('PING', () => client.ping());
    },

    async waitForReplicas(key, replicas, waitMs) {
      // WAIT blocks this connection for up to waitMs: it must end before the command timeout.
      if (!Number.isInteger(waitMs) || waitMs < 1 || waitMs >= timeoutMs) {
        throw new RangeError(`waitMs must be a whole number from 1 to ${timeoutMs - 1}`);
      }
      // One node holds every key today. Under Redis Cluster WAIT must go to the node that holds
      // `key` (the one that took the write): the topology layer routes it there.
      void key;
      return run('WAIT', () => client.wait(replicas, waitMs));
    },

    onReconnect(listener) {
      let lost = false;
      const onClose = (): void => {
        lost = true;
      };
      const onReady = (): void => {
        if (!lost || closing) return;
        lost = false;
        listener();
      };
      client.on('close', onClose);
      client.on('ready', onReady);
      return () => {
        client.off('close', onClose);
        client.off('ready', onReady);
      };
    },

    close() {
      closing ??= Promise.all([shutdown(client, timeoutMs), subscriber.close()]).then(() => {});
      return closing;
    },
  };
}

function isCountReply(reply: unknown): reply is [number, number] {
  return (
    Array.isArray(reply) &&
    reply.length === 2 &&
    typeof reply[0] === 'number' &&
    typeof reply[1] === 'number'
  );
}
