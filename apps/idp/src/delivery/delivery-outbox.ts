import type { Database, Queryable } from '../db/database.js';
import { insertOutboxRows, listOutboxRows, type OutboxRowView } from './outbox-queries.js';

/** A message to deliver: the kind's name (delivery-kind.ts), where to, and what it renders. */
export interface OutboxEntry {
  readonly kind: string;
  /** An absolute http(s) URL; checked again at each attempt. */
  readonly target: string;
  /** JSON; no secret (it is stored as is). A kind signs what it sends at each attempt. */
  readonly payload: unknown;
}

export interface DeliveryOutbox {
  /**
   * Stores the entries, due at once, to be tried until the retry window is over. Inside
   * `tx` when given, so the caller's own change and the messages commit together; call
   * `wake()` after that commit. Without `tx`, the local worker is woken here.
   */
  enqueue(entries: readonly OutboxEntry[], tx?: Queryable): Promise<string[]>;
  /** Tells the local worker there is new work (other processes find it at their next poll). */
  wake(): void;
  /** Subscribes the local worker to `wake`. */
  onEnqueued(listener: () => void): void;
  /** Every row (or those of one kind), oldest first. */
  list(kind?: string): Promise<OutboxRowView[]>;
}

export function createDeliveryOutbox(deps: {
  database: Database;
  now: () => number;
  /** How long a message is tried before it is marked failed (DELIVERY_RETRY_WINDOW). */
  retryWindowMs: number;
}): DeliveryOutbox {
  const listeners: (() => void)[] = [];
  const wake = (): void => {
    for (const listener of listeners) listener();
  };
  return {
    async enqueue(entries, tx) {
      if (entries.length === 0) return [];
      const now = deps.now();
      const rows = entries.map((entry) => ({
        ...entry,
        nextAttemptAt: now,
        deadline: now + deps.retryWindowMs,
        createdAt: now,
      }));
      if (tx) return insertOutboxRows(tx, rows);
      const ids = await deps.database.transaction((inner) => insertOutboxRows(inner, rows));
      wake();
      return ids;
    },
    wake,
    onEnqueued(listener) {
      listeners.push(listener);
    },
    list: (kind) => listOutboxRows(deps.database, kind),
  };
}
