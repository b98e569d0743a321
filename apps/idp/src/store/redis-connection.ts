import type { RedisClient } from './redis-client.js';
import { StoreUnavailableError } from './store.js';
import { rateLimitLogger, type StoreLogger } from './store-logger.js';

/**
 * Settles like `promise`, or rejects with `onTimeout()` after `ms`. The losing promise
 * keeps its handlers, so a late rejection is never reported as unhandled.
 */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  onTimeout: () => Error,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/**
 * Returns a function that waits, at most `timeoutMs`, for the client to be connected.
 *
 * The clients run without an offline queue: a command given to a disconnected ioredis
 * client is rejected at once instead of queued, so nothing is written to Redis after its
 * caller has already been told it failed. The cost is that a command issued while the
 * connection is still being made (just after start-up, or mid-reconnect) would fail
 * needlessly; waiting here, bounded by the command timeout, covers that window. All
 * waiters share one promise so an outage does not pile listeners onto the client.
 */
export function readinessOf(client: RedisClient): (timeoutMs: number) => Promise<void> {
  let next: { promise: Promise<void>; resolve: () => void } | undefined;
  // Kept so a caller told "not connected" also learns why (refused, auth failed, TLS...).
  let lastError: Error | undefined;
  client.on('error', (error: Error) => {
    lastError = error;
  });
  client.on('ready', () => {
    lastError = undefined;
    next?.resolve();
    next = undefined;
  });
  return async (timeoutMs) => {
    if (client.status === 'ready') return;
    if (!next) {
      let resolve = (): void => {};
      const promise = new Promise<void>((r) => (resolve = r));
      next = { promise, resolve };
    }
    const { status } = client;
    await withTimeout(next.promise, timeoutMs, () => {
      const reason = lastError ? `: ${lastError.message}` : '';
      return new StoreUnavailableError(
        `Redis not connected (${status}) after ${timeoutMs} ms${reason}`,
        { cause: lastError },
      );
    });
  };
}

/**
 * An 'error' event without a listener is printed by ioredis on every failed reconnect (and
 * would crash a plain EventEmitter); this routes them to the logger instead, rate-limited
 * because a down server produces one error per retry. Reconnections are logged as they
 * happen: they are rare, and exactly what an operator looks for after an outage.
 */
export function watchConnection(
  client: RedisClient,
  connection: string,
  logger: StoreLogger,
): void {
  const logError = rateLimitLogger(logger);
  client.on('error', (error: Error) => {
    const code = 'code' in error ? error.code : undefined;
    logError('store.redis_error', { connection, message: error.message, code });
  });
  client.on('ready', () => logger('store.redis_ready', { connection }));
  // A cluster reports a failing node here, not as 'error'.
  client.on('node error', (error: Error, node?: string) => {
    logError('store.redis_error', { connection, node, message: error.message });
  });
}

/** Closes politely (QUIT lets replies in flight arrive) but never waits more than `timeoutMs`. */
export async function shutdown(client: RedisClient, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') {
    try {
      await withTimeout(client.quit(), timeoutMs, () => new Error('QUIT timed out'));
    } catch {
      // The server is gone or slow; dropping the socket below is all that is left to do.
    }
  }
  // Also stops a pending reconnect timer, which QUIT alone cannot reach when not connected.
  client.disconnect();
}
