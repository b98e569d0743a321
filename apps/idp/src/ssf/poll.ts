import { SSF_DELIVERY_POLL } from '@latchkey/protocol';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { PollRequest } from './poll-request.js';
import type { PollWaiters } from './poll-waiters.js';
import { StreamRequestError } from './ssf-errors.js';
import { deleteEvents, selectQueued, selectStream } from './stream-queries.js';
import type { Stream } from './stream.js';

export interface PollResponse {
  sets: Record<string, string>;
  moreAvailable: boolean;
}

export interface PollDeps {
  database: Database;
  waiters: PollWaiters;
  logger: Logger;
  /** SSF_POLL_WAIT_MAX. */
  waitMaxMs: number;
  /** Signs a queued SET's claims with the key active now. */
  sign: (claims: Record<string, unknown>) => string;
  now: () => number;
  /**
   * How often a held poll re-reads the queue (events queued by another IdP instance do not
   * wake this one's waiters). Default 1000 ms.
   */
  recheckMs?: number;
}

/**
 * RFC 8936 §2.4: acknowledge, then answer with what is queued; if nothing is and the receiver
 * did not ask to return at once, hold the request until an event arrives or the wait ends.
 * An event leaves the queue only when acknowledged (or reported in setErrs): one that was
 * answered but never acknowledged (the answer was lost) comes again in the next poll.
 */
export async function poll(
  deps: PollDeps,
  stream: Stream,
  request: PollRequest,
  signal?: AbortSignal,
): Promise<PollResponse> {
  if (stream.deliveryMethod !== SSF_DELIVERY_POLL) {
    throw new StreamRequestError('this stream is delivered by push, not poll');
  }
  const { database } = deps;
  // Unknown jtis (already acknowledged, say, by a retried request) are ignored: acking is
  // idempotent, and an ack never removes another stream's event.
  await deleteEvents(database, stream.streamId, [
    ...request.ack,
    ...request.setErrs.map((error) => error.jti),
  ]);
  for (const error of request.setErrs) {
    deps.logger.warn('ssf.set_refused', {
      stream: stream.streamId,
      jti: error.jti,
      err: error.err,
    });
  }
  if (request.maxEvents === 0) return { sets: {}, moreAvailable: false };

  const wait = request.returnImmediately
    ? 0
    : Math.min(deps.waitMaxMs, request.maxWaitMs ?? deps.waitMaxMs);
  const deadline = deps.now() + wait;
  const recheck = deps.recheckMs ?? 1000;
  for (;;) {
    // A paused stream holds its events (SSF §8.1.2.1): it answers as if none were queued.
    const current = await selectStream(database, stream.streamId);
    if (current === null) throw new StreamRequestError('the stream was deleted');
    const queued =
      current.status === 'enabled'
        ? await selectQueued(database, stream.streamId, request.maxEvents + 1)
        : [];
    const remaining = deadline - deps.now();
    if (queued.length > 0 || remaining <= 0 || signal?.aborted || deps.waiters.closed) {
      const sets: Record<string, string> = {};
      for (const event of queued.slice(0, request.maxEvents)) {
        sets[event.jti] = deps.sign(event.claims);
      }
      return { sets, moreAvailable: queued.length > request.maxEvents };
    }
    await deps.waiters.wait(stream.streamId, Math.min(remaining, recheck), signal);
  }
}
