import type { AuditTrail } from '../audit/audit-trail.js';
import { randomBytes } from 'node:crypto';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import { acceptsAny2xx, describeResult, verdictFor, type AttemptResult } from './attempt-result.js';
import { DEFAULT_BACKOFF, nextAttemptAt, type BackoffPolicy } from './backoff.js';
import {
  DeliveryAbandonedError,
  type DeliveryKind,
  type DeliveryRequest,
} from './delivery-kind.js';
import type { DeliveryOutbox } from './delivery-outbox.js';
import {
  claimDueRows,
  pruneFinishedRows,
  recordOutcome,
  type ClaimedRow,
} from './outbox-queries.js';

/** Finished rows (the audit trail of what was sent, when, with what outcome) kept this long. */
const KEEP_FINISHED_MS = 30 * 24 * 3_600_000;
const PRUNE_EVERY_MS = 3_600_000;
import { postToTarget, type PostOptions } from './post-target.js';

export interface DeliveryWorkerOptions {
  database: Database;
  outbox: DeliveryOutbox;
  kinds: readonly DeliveryKind[];
  logger: Logger;
  now?: () => number;
  /** For the jitter; tests fix it. */
  random?: () => number;
  backoff?: BackoffPolicy;
  /** Per attempt (DELIVERY_TIMEOUT). Default 10 s. */
  timeoutMs?: number;
  /** Only loopback targets are contacted (tests, benchmarks). Default false. */
  loopbackOnly?: boolean;
  /** How often the database is asked for due rows when nothing woke the worker. Default 1 s. */
  pollIntervalMs?: number;
  /** Rows claimed (and sent in parallel) at once. Default 16. */
  batchSize?: number;
  /** Each outcome, as `delivery.delivered`, `delivery.retry_scheduled` or `delivery.failed`. */
  audit?: AuditTrail;
  /** The network; tests give a scripted one. Default postToTarget. */
  post?: (target: string, message: DeliveryRequest, options: PostOptions) => Promise<AttemptResult>;
}

export interface DeliveryWorker {
  /** Starts polling (and listening to the outbox's wake-ups). */
  start(): void;
  /** Stops polling and waits for the attempts under way. */
  stop(): Promise<void>;
  /** Claims and attempts the due rows once; resolves to how many were attempted. */
  runOnce(): Promise<number>;
}

/**
 * Sends what the outbox holds. Any number of workers (processes) may run on one database:
 * a row is claimed by one of them for a lease (outbox-queries.ts), attempted, and its outcome
 * recorded only by the claim holder. Outcomes are logged at info without the body (which
 * holds a signed token).
 */
export function createDeliveryWorker(options: DeliveryWorkerOptions): DeliveryWorker {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const timeoutMs = options.timeoutMs ?? 10_000;
  // Long enough for the render and the POST, so a live worker never loses its claim.
  const leaseMs = Math.max(2 * timeoutMs, timeoutMs + 10_000);
  const post = options.post ?? postToTarget;
  const postOptions: PostOptions = { timeoutMs, loopbackOnly: options.loopbackOnly ?? false };
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const batchSize = options.batchSize ?? 16;
  const kinds = new Map(options.kinds.map((kind) => [kind.name, kind]));
  const { logger, database } = options;

  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<unknown> = Promise.resolve();
  let again = false;
  let busy = false;
  let prunedAt = -Infinity;

  async function attempt(row: ClaimedRow, claim: string): Promise<void> {
    const kind = kinds.get(row.kind);
    const at = now();
    let result: AttemptResult = { type: 'unreachable', reason: 'not attempted' };
    if (!kind) {
      // A row of a kind this build does not know (written by a newer IdP): leave it to one
      // that does, as a recoverable failure, until the window is over.
      result = { type: 'unreachable', reason: `no kind "${row.kind}" here` };
    } else {
      let message: DeliveryRequest | undefined;
      try {
        message = await kind.render(row.payload, {
          id: row.id,
          target: row.target,
          attempt: row.attempts,
          now: at,
        });
      } catch (error) {
        result =
          error instanceof DeliveryAbandonedError
            ? { type: 'blocked', reason: error.message }
            : { type: 'unreachable', reason: `render failed: ${(error as Error).message}` };
      }
      if (message) result = await post(row.target, message, postOptions);
    }
    const verdict = verdictFor(result, kind?.accepts ?? acceptsAny2xx);
    const done = now();
    const retryAt =
      verdict === 'retry' ? nextAttemptAt(backoff, row.attempts, done, row.deadline, random) : null;
    const state =
      verdict === 'delivered'
        ? 'delivered'
        : verdict === 'retry' && retryAt !== null
          ? 'pending'
          : 'failed';
    const outcome = describeResult(result);
    const kept = await recordOutcome(database, {
      id: row.id,
      claim,
      outcome,
      now: done,
      retryAt,
      state,
    });
    const fields = {
      id: row.id,
      kind: row.kind,
      target: loggable(row.target),
      attempt: row.attempts,
      outcome,
      ms: done - at,
      ...(retryAt !== null && { retry_in_ms: retryAt - done }),
      ...(!kept && { claim_lost: true }),
    };
    const event =
      state === 'delivered'
        ? 'delivery.delivered'
        : state === 'pending'
          ? 'delivery.retry_scheduled'
          : 'delivery.failed';
    logger.info(event, fields);
    await options.audit?.record({
      type: event,
      detail: {
        delivery: row.id,
        kind: row.kind,
        target: fields.target,
        attempt: row.attempts,
        outcome,
      },
    });
  }

  async function runOnce(): Promise<number> {
    const claim = randomBytes(12).toString('base64url');
    const at = now();
    const rows = await claimDueRows(database, {
      now: at,
      leaseUntil: at + leaseMs,
      claim,
      limit: batchSize,
    });
    await Promise.all(rows.map((row) => attempt(row, claim)));
    return rows.length;
  }

  function schedule(delayMs: number): void {
    if (!running) return;
    clearTimeout(timer);
    timer = setTimeout(tick, delayMs);
    timer.unref();
  }

  function tick(): void {
    busy = true;
    current = (async () => {
      let count = 0;
      try {
        count = await runOnce();
        const at = now();
        if (at - prunedAt >= PRUNE_EVERY_MS) {
          prunedAt = at;
          await pruneFinishedRows(database, at - KEEP_FINISHED_MS);
        }
      } catch (error) {
        logger.warn('delivery.poll_failed', { error: (error as Error).message });
      }
      // A full batch means more may be due: go on at once rather than after the interval.
      const more = count >= batchSize || again;
      again = false;
      busy = false;
      schedule(more ? 0 : pollIntervalMs);
    })();
  }

  return {
    start() {
      if (running) return;
      running = true;
      options.outbox.onEnqueued(() => {
        if (!running) return;
        // One run at a time: a wake during a run makes the next one start at once.
        if (busy) again = true;
        else schedule(0);
      });
      schedule(0);
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      await current;
    },
    runOnce,
  };
}

/** Origin and path only: a registered URL's query could carry something its owner keeps secret. */
function loggable(target: string): string {
  try {
    const url = new URL(target);
    return `${url.origin}${url.pathname}`;
  } catch {
    return '(not a URL)';
  }
}
