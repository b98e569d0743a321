import type { ClientRegistry } from '../clients/client.js';
import type { Database } from '../db/database.js';
import type { DeliveryOutbox } from '../delivery/delivery-outbox.js';
import type { Logger } from '../logger.js';
import type { SessionRepository } from '../sessions/session.js';
import { logoutEntries } from './logout-fan-out.js';
import { firstPossibleEnd } from './participation.js';
import {
  endSession,
  postponeCheck,
  pruneEnded,
  sessionsDueForCheck,
} from './participation-queries.js';

export interface ExpirySweeper {
  /** One pass: looks at the sessions due for a check; resolves to how many had ended. */
  sweep(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

/** Ended participations are kept this long (who was told of what), then forgotten. */
const KEEP_ENDED_MS = 30 * 24 * 3_600_000;

/**
 * Sessions end silently when they pass their idle or absolute limit: Redis drops the keys
 * and nobody calls the revoker. This finds them from the participation records: each open
 * record is looked at once its session could first have expired (`next_check_at`); a session
 * still live moves the look to its next possible end, one gone is ended here and its clients
 * told, exactly once (endSession's update decides between this and the revoker's listener).
 */
export function createExpirySweeper(deps: {
  database: Database;
  sessions: Pick<SessionRepository, 'find'>;
  outbox: DeliveryOutbox;
  clients: ClientRegistry;
  logger: Logger;
  now: () => number;
  idleTtlMs: number;
  /** How often `start` sweeps. Default 30 s. */
  intervalMs?: number;
  /** Sessions looked at per pass. Default 200. */
  batchSize?: number;
}): ExpirySweeper {
  const batchSize = deps.batchSize ?? 200;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<unknown> = Promise.resolve();

  async function sweep(): Promise<number> {
    const now = deps.now();
    const due = await sessionsDueForCheck(deps.database, now, batchSize);
    let ended = 0;
    for (const sid of due) {
      const session = await deps.sessions.find(sid, now);
      if (session) {
        await postponeCheck(deps.database, sid, firstPossibleEnd(session, deps.idleTtlMs));
        continue;
      }
      const tokens = await deps.database.transaction(async (tx) => {
        const gone = await endSession(tx, sid, now);
        const entries = logoutEntries(gone, deps.clients, false);
        await deps.outbox.enqueue(entries, tx);
        return entries.length;
      });
      ended += 1;
      if (tokens > 0) {
        deps.logger.info('backchannel.logout_enqueued', {
          scope: 'session',
          reason: 'expired',
          tokens,
        });
      }
    }
    if (ended > 0) deps.outbox.wake();
    await pruneEnded(deps.database, now - KEEP_ENDED_MS);
    return ended;
  }

  return {
    sweep,
    start() {
      if (timer) return;
      timer = setInterval(() => {
        current = sweep().catch((error: unknown) =>
          deps.logger.warn('backchannel.sweep_failed', { error: (error as Error).message }),
        );
      }, deps.intervalMs ?? 30_000);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await current;
    },
  };
}
