import { StoreUnavailableError, type SetOptions, type Store } from './store.js';
import { noopLogger, type StoreLogger } from './store-logger.js';
import { readinessOf, shutdown, watchConnection, withTimeout } from './redis-connection.js';
import { createRedisClient, isCluster, type RedisClient } from './redis-client.js';
import { toStoreError } from './redis-errors.js';
import {
  addToSetScript,
  compareAndSetScript,
  countWithinLimitsScript,
  decrementScript,
  incrementScript,
  publishScript,
} from './redis-scripts.js';
import { openSubscriberConnection, RedisSubscriber } from './redis-subscriber.js';
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
  /** For `redis+sentinel://` URLs: the sentinels' own password (REDIS_SENTINEL_PASSWORD). */
  sentinelPassword?: string;
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

  const settings = {
    commandTimeoutMs: timeoutMs,
    connectTimeoutMs,
    sentinelPassword: options.sentinelPassword,
  };
  // Throws RedisUrlError for a URL of no known form (config has checked it already).
  // Auto-pipelining: the commands concurrent requests send in one tick of the event loop go
  // out in one write, read back in one read. On loopback a write is a syscall that also runs
  // Redis's side of TCP; one per command was the largest single cost of a refresh (bench
  // case 11). It batches writes only: each command is still its own, answered in order.
  // Not on a cluster: there a pipeline that meets a slot on the move (ASK, MOVED) fails
  // commands that the same commands sent alone would have followed to their new node.
  const client = createRedisClient(url, {
    ...settings,
    connectionName: 'latchkey-idp',
    override: { enableAutoPipelining: true },
  });
  watchConnection(client, 'command', logger);
  const ready = readinessOf(client);

  const subscriber = new RedisSubscriber(
    () => {
      const connection = openSubscriberConnection(url, settings);
      watchConnection(connection, 'subscriber', logger);
      return connection;
    },
    timeoutMs,
    logger,
  );

  let closing: Promise<void> | undefined;
  const isClosing = (): boolean => closing !== undefined;
  const commands = commandsOn(client, ready, { timeoutMs, isClosing });

  // WAIT blocks the connection it is sent on until the replicas answer (up to
  // REDIS_WAIT_TIMEOUT_MS while one is down), and it counts that connection's writes: the
  // writes that must be confirmed, and their WAIT, go on a connection of their own, so that
  // a slow replica never holds up the logins and token requests on the shared one.
  let durableClient: RedisClient | undefined;
  let durableStore: Store | undefined;

  const store: Store = {
    ...commands,

    async subscribe(channel, onMessage) {
      if (closing) throw new Error('store closed');
      return subscriber.subscribe(channel, onMessage);
    },

    onReconnect(listener) {
      let lost = false;
      let connected = client.status === 'ready';
      const onClose = (): void => {
        lost = true;
      };
      const onReady = (): void => {
        const again = connected && lost;
        connected = true;
        lost = false;
        if (again && !isClosing()) listener();
      };
      // A cluster stays "ready" through a failover: the promoted replica shows up as a node
      // it connects to, which is when a lost write may have gone with the old master.
      const onNode = (): void => {
        if (connected && !isClosing()) listener();
      };
      client.on('close', onClose);
      client.on('ready', onReady);
      if (isCluster(client)) client.on('+node', onNode);
      return () => {
        client.off('close', onClose);
        client.off('ready', onReady);
        if (isCluster(client)) client.off('+node', onNode);
      };
    },

    durable() {
      if (isClosing()) throw new Error('store closed');
      if (!durableStore) {
        const connection = createRedisClient(url, {
          ...settings,
          connectionName: 'latchkey-idp-durable',
        });
        watchConnection(connection, 'durable', logger);
        durableClient = connection;
        durableStore = {
          ...commandsOn(connection, readinessOf(connection), { timeoutMs, isClosing }),
          subscribe: (channel, onMessage) => store.subscribe(channel, onMessage),
          onReconnect: (listener) => store.onReconnect(listener),
          durable: () => durableStore!,
          close: () => store.close(),
        };
      }
      return durableStore;
    },

    close() {
      closing ??= Promise.all([
        shutdown(client, timeoutMs),
        durableClient ? shutdown(durableClient, timeoutMs) : undefined,
        subscriber.close(),
      ]).then(() => {});
      return closing;
    },
  };
  return store;
}

/** Every command of the store but subscriptions, sent on `client`. */
function commandsOn(
  client: RedisClient,
  ready: (timeoutMs: number) => Promise<void>,
  { timeoutMs, isClosing }: { timeoutMs: number; isClosing: () => boolean },
): Omit<Store, 'subscribe' | 'onReconnect' | 'durable' | 'close'> {
  /** Waits for a connection, sends, and turns connection trouble into StoreUnavailableError. */
  async function run<T>(operation: string, command: () => Promise<T>): Promise<T> {
    if (isClosing()) throw new Error('store closed');
    try {
      await ready(timeoutMs);
      // A cluster may retry a command across a failover or MOVED/ASK redirections, each try
      // under the command timeout; this bounds the whole, so the caller still hears within
      // about the timeout. (A single server's own command timeout already does that.)
      if (!isCluster(client)) return await command();
      return await withTimeout(command(), timeoutMs * 2, () => {
        return new StoreUnavailableError(`Redis ${operation} timed out`);
      });
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
      if (!isCluster(client)) return run('DEL', () => client.del(...keys));
      // A cluster refuses a DEL of keys in different slots (CROSSSLOT): one DEL per key,
      // sent together. Not atomic across slots; no caller needs that (store.ts).
      const distinct = [...new Set(keys)];
      const counts = await run('DEL', () => Promise.all(distinct.map((key) => client.del(key))));
      return counts.reduce((sum, count) => sum + count, 0);
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
      await run('PUBLISH', () =>
        isCluster(client)
          ? // A cluster sends a keyless PUBLISH to any node, and messages sent from different
            // nodes reach a subscriber in any order (seen in the contract test). Naming the
            // channel as the script's key sends every message of a channel through the node
            // that serves its slot, which keeps them in order.
            publishScript.run(client, [channel], [message])
          : client.publish(channel, message),
      );
    },

    async ping() {
      await run('PING', () => client.ping());
    },

    async waitForReplicas(key, replicas, waitMs) {
      // WAIT blocks this connection for up to waitMs: it must end before the command timeout.
      if (!Number.isInteger(waitMs) || waitMs < 1 || waitMs >= timeoutMs) {
        throw new RangeError(`waitMs must be a whole number from 1 to ${timeoutMs - 1}`);
      }
      if (!isCluster(client)) return run('WAIT', () => client.wait(replicas, waitMs));
      // WAIT counts the writes made on the connection it is sent on: under a cluster, the one
      // to the node serving `key`'s slot, which took the write. A pipeline goes to the node of
      // its keys, so a read of `key` in front takes the WAIT there.
      const replies = await run('WAIT', () =>
        client.pipeline().exists(key).wait(replicas, waitMs).exec(),
      );
      const reply = replies?.[1];
      if (!reply) throw new StoreUnavailableError('Redis WAIT: no reply');
      if (reply[0]) throw toStoreError(reply[0], 'WAIT');
      return Number(reply[1]);
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
