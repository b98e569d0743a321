import type { RedisClient } from './redis-client.js';
import type { Unsubscribe } from './store.js';
import { rateLimitLogger, type StoreLogger } from './store-logger.js';
import { readinessOf, shutdown, withTimeout } from './redis-connection.js';
import { toStoreError } from './redis-errors.js';

type Listener = (message: string) => void;

interface Connection {
  client: RedisClient;
  ready: (timeoutMs: number) => Promise<void>;
}

/**
 * All subscriptions of one store share one Redis connection, opened on first use and kept
 * apart from the command connection so a burst of messages never delays a command (and so
 * this still works on a RESP2 server, where a subscribed connection takes no commands).
 *
 * ioredis re-subscribes every channel by itself after a reconnect (`autoResubscribe`), so
 * the listeners here survive a Redis restart untouched.
 */
export class RedisSubscriber {
  private connection: Connection | undefined;
  private readonly channels = new Map<string, Set<Listener>>();

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
    if (this.connection) await shutdown(this.connection.client, this.timeoutMs);
  }

  private connect(): Connection {
    if (!this.connection) {
      const client = this.open();
      client.on('message', (channel: string, message: string) => this.dispatch(channel, message));
      this.connection = { client, ready: readinessOf(client) };
    }
    return this.connection;
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
