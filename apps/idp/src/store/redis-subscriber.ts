import {
  createRedisClient,
  isCluster,
  type RedisClient,
  type RedisClientSettings,
} from './redis-client.js';
import type { Unsubscribe } from './store.js';
import { rateLimitLogger, type StoreLogger } from './store-logger.js';
import { readinessOf, shutdown, withTimeout } from './redis-connection.js';
import { toStoreError } from './redis-errors.js';

type Listener = (message: string) => void;

/** How often a cluster subscriber re-asserts its channels when nothing happens. */
export const REASSERT_EVERY_MS = 5_000;
/** After a node joins or leaves: time for ioredis to settle on its new subscriber node. */
const REASSERT_AFTER_CHANGE_MS = 500;

interface Connection {
  client: RedisClient;
  ready: (timeoutMs: number) => Promise<void>;
}

/**
 * The connection subscriptions go over: classic PUBLISH/SUBSCRIBE, on a cluster too. There a
 * message reaches every node over the cluster bus, so one subscriber connection (to any node;
 * ioredis moves it and re-subscribes when that node fails) hears every channel. Sharded
 * pub/sub would save that broadcast, but needs one connection per shard and drops
 * subscriptions when a slot moves; Latchkey's channels carry a few notices per second at
 * most, where the broadcast costs nothing that matters.
 */
export function openSubscriberConnection(
  url: string,
  settings: Omit<RedisClientSettings, 'connectionName'>,
): RedisClient {
  return createRedisClient(url, {
    ...settings,
    connectionName: 'latchkey-idp-subscriber',
    override: {
      // ioredis sends the re-subscription after a reconnect itself and ignores its outcome; a
      // timeout or a queue flush rejecting it would be an unhandled rejection, which ends the
      // process. Without them that command can only succeed or wait. Our own SUBSCRIBE calls
      // carry their own deadline instead.
      commandTimeout: undefined,
      maxRetriesPerRequest: null,
      autoResendUnfulfilledCommands: true,
    },
    // SUBSCRIBE may be sent again safely: on a cluster, one that met a closed connection (the
    // subscriber node still connecting, or lost) is retried on another node.
    clusterOverride: { retryDelayOnFailover: 100 },
  });
}

/**
 * All subscriptions of one store share one Redis connection, opened on first use and kept
 * apart from the command connection so a burst of messages never delays a command (and so
 * this still works on a RESP2 server, where a subscribed connection takes no commands).
 *
 * ioredis re-subscribes every channel by itself after a reconnect (`autoResubscribe`), so
 * the listeners here survive a Redis restart untouched.
 *
 * On a cluster that is not enough. ioredis keeps the subscriptions on one node's connection
 * and, when that node goes, moves them to another; a move that fails half-way (the new node
 * lost in turn, or refusing) leaves a live connection subscribed to nothing, and nothing
 * reports it: every later notice would be missed for good. So there the channels are sent
 * again (SUBSCRIBE is idempotent) soon after the cluster's node list changes, and every few
 * seconds in case the loss came with no event. A notice sent while a channel was lost is
 * lost too: delivery is at most once, as the store's contract says.
 */
export class RedisSubscriber {
  private connection: Connection | undefined;
  private readonly channels = new Map<string, Set<Listener>>();
  /** On a cluster: the periodic re-assertion, and one due soon after a node change. */
  private readonly timers: { every?: NodeJS.Timeout; soon?: NodeJS.Timeout } = {};
  private reasserting = false;

  private readonly logger: StoreLogger;

  constructor(
    private readonly open: () => RedisClient,
    private readonly timeoutMs: number,
    logger: StoreLogger,
  ) {
    // A subscriber that throws usually throws on every message.
    this.logger = rateLimitLogger(logger);
  }

  async subscribe(channel: string, onMessage: (message: string) => void): Promise<Unsubscribe> {
    const { client, ready } = this.connect();
    // A fresh function per call: subscribing the same callback twice is two subscriptions.
    const listener: Listener = (message) => onMessage(message);
    let listeners = this.channels.get(channel);
    if (!listeners) this.channels.set(channel, (listeners = new Set()));
    // Registered before SUBSCRIBE is sent so that a concurrent unsubscribe of the channel's
    // last other listener sees this one and leaves the channel subscribed.
    listeners.add(listener);
    try {
      await ready(this.timeoutMs);
      // Sent even when the channel is already subscribed: its acknowledgement comes after any
      // re-subscription in flight on the same connection, so when it arrives the channel is
      // certainly live, which is the promise `subscribe` makes.
      await withTimeout(
        client.subscribe(channel),
        this.timeoutMs,
        () => new Error(`SUBSCRIBE not acknowledged within ${this.timeoutMs} ms`),
      );
    } catch (error) {
      this.remove(channel, listener);
      throw toStoreError(error, 'subscribe');
    }
    return () => {
      // Idempotent: remove() ignores a listener it no longer holds.
      this.remove(channel, listener);
      return Promise.resolve();
    };
  }

  async close(): Promise<void> {
    this.channels.clear();
    clearInterval(this.timers.every);
    clearTimeout(this.timers.soon);
    if (this.connection) await shutdown(this.connection.client, this.timeoutMs);
  }

  private connect(): Connection {
    if (!this.connection) {
      const client = this.open();
      client.on('message', (channel: string, message: string) => this.dispatch(channel, message));
      this.connection = { client, ready: readinessOf(client) };
      if (isCluster(client)) {
        // Neither timer is what keeps a finished process alive.
        this.timers.every = setInterval(() => this.reassert(), REASSERT_EVERY_MS).unref();
        const soon = (): void => {
          this.timers.soon ??= setTimeout(() => {
            this.timers.soon = undefined;
            this.reassert();
          }, REASSERT_AFTER_CHANGE_MS).unref();
        };
        client.on('+node', soon);
        client.on('-node', soon);
      }
    }
    return this.connection;
  }

  /** One SUBSCRIBE naming every channel that has a listener; one such command at a time. */
  private reassert(): void {
    const client = this.connection?.client;
    if (this.reasserting || !client || client.status !== 'ready' || this.channels.size === 0) {
      return;
    }
    this.reasserting = true;
    withTimeout(
      client.subscribe(...this.channels.keys()),
      this.timeoutMs,
      () => new Error(`SUBSCRIBE not acknowledged within ${this.timeoutMs} ms`),
    )
      .catch((error: unknown) => {
        this.logger('store.redis_resubscribe_failed', { err: error });
      })
      .finally(() => {
        this.reasserting = false;
      });
  }

  private dispatch(channel: string, message: string): void {
    const listeners = this.channels.get(channel);
    if (!listeners) return;
    for (const listener of [...listeners]) {
      // Skip listeners removed by an earlier listener of this same message.
      if (!listeners.has(listener)) continue;
      try {
        listener(message);
      } catch (error) {
        // ioredis would rethrow this as an uncaught exception and take the process down.
        this.logger('store.subscriber_threw', { channel, err: error });
      }
    }
  }

  /**
   * Forgets the listener at once, so it is never called again whatever Redis does next,
   * then tells Redis when the channel has no listener left. If that UNSUBSCRIBE cannot be
   * sent, messages for the channel keep arriving and are dropped here: harmless.
   */
  private remove(channel: string, listener: Listener): void {
    const listeners = this.channels.get(channel);
    if (!listeners?.delete(listener) || listeners.size > 0) return;
    this.channels.delete(channel);
    const client = this.connection?.client;
    if (client?.status !== 'ready') return;
    client.unsubscribe(channel).catch((error: unknown) => {
      this.logger('store.redis_unsubscribe_failed', { channel, err: error });
    });
  }
}
