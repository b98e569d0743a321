/**
 * Long polls (RFC 8936 §2.4) waiting in this process, per stream. Enqueuing an event wakes
 * the stream's waiters at once; an event enqueued by another IdP instance is found by the
 * waiter's own periodic re-read (see poll.ts).
 */
export interface PollWaiters {
  /** Resolves when woken, when `ms` have passed or when `signal` aborts, whichever first. */
  wait(streamId: string, ms: number, signal?: AbortSignal): Promise<void>;
  wake(streamId: string): void;
  /** Wakes every waiter and makes later waits return at once (shutdown). */
  close(): void;
  readonly closed: boolean;
}

export function createPollWaiters(): PollWaiters {
  const waiting = new Map<string, Set<() => void>>();
  let closed = false;
  return {
    wait(streamId, ms, signal) {
      return new Promise<void>((resolve) => {
        if (closed) {
          resolve();
          return;
        }
        const set = waiting.get(streamId) ?? new Set<() => void>();
        waiting.set(streamId, set);
        const done = (): void => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          set.delete(done);
          if (set.size === 0 && waiting.get(streamId) === set) waiting.delete(streamId);
          resolve();
        };
        const timer = setTimeout(done, ms);
        signal?.addEventListener('abort', done);
        set.add(done);
      });
    },
    wake(streamId) {
      for (const done of [...(waiting.get(streamId) ?? [])]) done();
    },
    close() {
      closed = true;
      for (const set of [...waiting.values()]) for (const done of [...set]) done();
    },
    get closed() {
      return closed;
    },
  };
}
