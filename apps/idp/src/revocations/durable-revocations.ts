import {
  decodeRevocationNotice,
  encodeRevocationMember,
  encodeRevocationNotice,
  encodeRevocationReloadNotice,
  revocationKeys,
  storeKeys,
} from '@latchkey/protocol';
import { type Logger, messageOf } from '../logger.js';
import { confirmReplicated, writerFor, type ReplicationPolicy } from '../store/replication.js';
import type { Store, Unsubscribe } from '../store/store.js';
import type { DurableRevocation, LedgerEntry, RevocationLedger } from './revocation-ledger.js';
import { RevokedIndex } from './revoked-index.js';

/**
 * "Confirmed means durable" for sessions and subjects. A revocation is written to PostgreSQL
 * (the ledger) first, then to the Redis set every SDK loads (and waited for on the replicas
 * REDIS_WAIT_REPLICAS asks for), then published; its caller hears "done" only after all three.
 *
 * Redis can still lose it afterwards: restored from a snapshot taken before, or back empty. So
 * every instance keeps the ledger in memory (RevokedIndex) and refuses a session the ledger
 * says is revoked whatever Redis shows, and puts Redis right (the set, the session records)
 * when its connection comes back or when the marker in Redis is behind the ledger; then it
 * asks every SDK to reload the set.
 */
export interface DurableRevocations {
  /** Records the revocation durably, then in Redis, then announces it. */
  record(revocation: DurableRevocation, revokedAt: number): Promise<void>;
  /** Whether the ledger says the session is revoked (the hot path: memory only). */
  covers(session: { sid: string; sub: string; createdAt: number }, nowMs: number): boolean;
  /** Loads the ledger (rejects when PostgreSQL does not answer), then starts the timers. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Reads what the ledger gained since the last read (what the timer does). */
  poll(): Promise<void>;
  /** Compares the marker in Redis with the ledger, and reconciles when it is behind. */
  checkMarker(): Promise<void>;
  /** Writes every kept revocation to Redis again; resolves to how many. */
  reconcile(reason: string): Promise<number>;
  /** Entries in memory, for the metrics and the report of their cost. */
  readonly size: number;
}

export interface DurableRevocationsDeps {
  ledger: RevocationLedger;
  store: Store;
  logger: Logger;
  now: () => number;
  replication: ReplicationPolicy;
  /**
   * How long a revoked session could still be brought back by an old copy of Redis after its
   * revocation: the longest life of a session (SESSION_MAX_TTL). The ledger keeps it that long.
   */
  sessionLifeMs: number;
  /** The ledger's delta read, the marker check and the sweep of memory. Default 5 s. */
  pollIntervalMs?: number;
  /** Deleting rows kept no longer. Default 10 minutes. */
  pruneIntervalMs?: number;
}

/** How far back in the database's clock a delta read looks beyond its `seq` (late commits). */
const LOOK_BACK_MS = 30_000;
/** Rows per delta read, and Redis writes sent together when putting Redis right. */
const BATCH = 1_000;

export function createDurableRevocations(deps: DurableRevocationsDeps): DurableRevocations {
  const { ledger, store, logger, now, replication, sessionLifeMs } = deps;
  // The writes a WAIT confirms go on their own connection (replication.ts), opened now, so an
  // instance's Redis connections are the same from its first request to its last.
  const writer = writerFor(store, replication);
  const index = new RevokedIndex();
  /** The highest `seq` read or written by this instance. */
  let highest = 0;
  /** `highest` at the previous marker check: what Redis must have caught up with by now. */
  let highestAtLastCheck = 0;
  let reconciling: Promise<number> | undefined;
  let unsubscribe: Unsubscribe | undefined;
  let stopReconnect: (() => void) | undefined;
  const timers: NodeJS.Timeout[] = [];
  let stopped = false;
  /** A revocation reached the ledger but its Redis half failed: reconcile at the next tick. */
  let repairWanted = false;

  const learn = (entry: LedgerEntry): void => {
    index.add(entry.revocation, entry.keepUntil);
    highest = Math.max(highest, entry.seq);
  };

  /** Moves the marker forward to `seq` (never back: another instance may be further). */
  async function raiseMarker(seq: number): Promise<void> {
    if (seq <= 0) return;
    // Bounded: each lost race means another writer moved it, most likely past `seq`.
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const raw = await writer.get(revocationKeys.applied);
      if (raw !== null && Number(raw) >= seq) return;
      if (await writer.compareAndSet(revocationKeys.applied, raw, String(seq))) return;
    }
  }

  /** `rounds`: batches read at most; a backlog larger than that is read on the next ticks. */
  async function poll(rounds = 10): Promise<void> {
    for (let round = 0; round < rounds; round += 1) {
      const entries = await ledger.since(highest, now(), BATCH);
      for (const entry of entries) learn(entry);
      if (entries.length < BATCH) break;
    }
    // A row committed after a neighbour with a higher seq was stepped over above; it is
    // among the newest, which this reads again.
    for (const entry of await ledger.recent(now(), LOOK_BACK_MS, BATCH)) learn(entry);
    index.sweep(now());
  }

  async function reconcileNow(reason: string): Promise<number> {
    const at = now();
    // The mark is read first: every row up to it is among those read next.
    const mark = await ledger.lastSeq();
    const entries = await ledger.unexpired(at);
    // Nothing ever revoked: nothing to put back, and an empty Redis stays empty.
    if (mark === 0 && entries.length === 0) return 0;
    for (const entry of entries) learn(entry);
    for (let start = 0; start < entries.length; start += BATCH) {
      // Sent together: the connection pipelines them, one round trip per batch.
      await Promise.all(entries.slice(start, start + BATCH).map((entry) => putBack(entry, at)));
    }
    await raiseMarker(Math.max(mark, highest));
    await confirmReplicated(writer, revocationKeys.set, replication);
    await store.publish(revocationKeys.channel, encodeRevocationReloadNotice());
    logger.info('revocations.reconciled', { reason, entries: entries.length });
    return entries.length;
  }

  async function putBack({ revocation }: LedgerEntry, at: number): Promise<void> {
    const writes: Promise<unknown>[] = [];
    if (revocation.expiresAt > at) {
      const member = encodeRevocationMember(revocation);
      writes.push(writer.addToSet(revocationKeys.set, member, revocation.expiresAt));
    }
    if (revocation.kind === 'session') {
      // What a restored snapshot brought back: the session itself and its place in the count.
      writes.push(writer.delete(storeKeys.session(revocation.sid)));
      writes.push(writer.removeFromSet(storeKeys.liveSessions, revocation.sid));
    }
    await Promise.all(writes);
  }

  function reconcile(reason: string): Promise<number> {
    reconciling ??= reconcileNow(reason).finally(() => {
      reconciling = undefined;
    });
    return reconciling;
  }

  async function checkMarker(): Promise<void> {
    const expected = highestAtLastCheck;
    highestAtLastCheck = highest;
    if (expected === 0) return;
    const raw = await store.get(revocationKeys.applied);
    const applied = raw === null ? 0 : Number(raw);
    // Behind what this instance had already read a whole interval ago: Redis went back in time.
    if (!(applied >= expected)) await reconcile(raw === null ? 'marker_missing' : 'marker_behind');
  }

  /** Runs `task` every `ms`, logging a failure (an outage) and trying again next time. */
  function every(ms: number, event: string, task: () => Promise<unknown>): void {
    let running = false;
    const timer = setInterval(() => {
      if (running || stopped) return;
      running = true;
      task()
        .catch((error: unknown) => logger.warn(event, { error: messageOf(error) }))
        .finally(() => {
          running = false;
        });
    }, ms);
    timer.unref();
    timers.push(timer);
  }

  return {
    async record(revocation, revokedAt) {
      const seq = await ledger.record(revocation, revokedAt, revokedAt + sessionLifeMs);
      learn({ seq, revocation, revokedAt, keepUntil: revokedAt + sessionLifeMs });
      try {
        const member = encodeRevocationMember(revocation);
        await writer.addToSet(revocationKeys.set, member, revocation.expiresAt);
        await raiseMarker(seq);
        // One WAIT covers both writes above: it counts everything this connection sent before.
        await confirmReplicated(writer, revocationKeys.set, replication);
        await store.publish(revocationKeys.channel, encodeRevocationNotice(revocation, revokedAt));
      } catch (error) {
        // Durable, refused here, but maybe not in Redis: the caller's retry finds the session
        // already ended and writes nothing, and another instance may have moved the marker
        // past it. So this instance puts Redis right itself at its next tick.
        repairWanted = true;
        throw error;
      }
    },

    covers: (session, nowMs) => index.covers(session, nowMs),

    async start() {
      // All of it before the first request, however long the ledger.
      await poll(Infinity);
      highestAtLastCheck = highest;
      const interval = deps.pollIntervalMs ?? 5_000;
      every(interval, 'revocations.poll_failed', async () => {
        await poll();
        if (repairWanted) {
          await reconcile('unconfirmed_revocation');
          repairWanted = false;
        }
        await checkMarker();
      });
      every(deps.pruneIntervalMs ?? 10 * 60_000, 'revocations.prune_failed', async () => {
        const removed = await ledger.prune(now());
        if (removed > 0) logger.info('revocations.pruned', { removed });
      });
      // A Redis that dropped the connection may come back from a snapshot, or empty.
      stopReconnect = store.onReconnect(() => {
        reconcile('reconnected').catch((error: unknown) =>
          logger.warn('revocations.reconcile_failed', { error: messageOf(error) }),
        );
      });
      // Other instances' revocations, at once; the delta read catches any notice lost.
      try {
        unsubscribe = await store.subscribe(revocationKeys.channel, (message) => {
          const revocation = decodeRevocationNotice(message);
          if (revocation && revocation.kind !== 'key') {
            index.add(revocation, now() + sessionLifeMs);
          }
        });
      } catch (error) {
        logger.warn('revocations.subscribe_failed', { error: messageOf(error) });
      }
    },

    async stop() {
      stopped = true;
      for (const timer of timers) clearInterval(timer);
      stopReconnect?.();
      await unsubscribe?.().catch(() => undefined);
      await reconciling?.catch(() => undefined);
    },

    poll,
    checkMarker,
    reconcile,

    get size() {
      return index.size;
    },
  };
}
