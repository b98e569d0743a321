import type { Queryable } from '../db/database.js';
import type { Logger } from '../logger.js';
import { deleteExpiredSignups } from '../users/user-queries.js';
import { LINK_TTL_MS } from './account-links.js';

/**
 * A self sign-up stays `pending` until its address is verified, and lives exactly as long
 * as its verification link: a link nobody used leaves an account nobody can finish, which
 * would otherwise hold its username and email forever (a typo'd address, a name squatted
 * with someone else's address). Past its lifetime it counts as absent and is deleted.
 * Invited accounts (pending too) are an operator's and never expire this way.
 */
export const SIGNUP_LIFETIME_MS = LINK_TTL_MS;

/** Rows one sweep deletes at most: a sign-up request never waits on a large backlog. */
const SWEEP_LIMIT = 100;

/** When a sign-up made at `nowMs` stops counting if still unverified. */
export function signupExpiresAt(nowMs: number): Date {
  return new Date(nowMs + SIGNUP_LIFETIME_MS);
}

/**
 * Deletes the expired pending sign-ups (their links go with them), before anything looks a
 * username or an address up: run where a stale one would otherwise answer "taken" or get a
 * reset link. Nothing records sign-ups in the audit trail, so their end is logged as their
 * start is (`account.signed_up`), by `sub` only. Returns how many went.
 */
export async function dropExpiredSignups(deps: {
  database: Queryable;
  logger: Pick<Logger, 'info'>;
  now: () => number;
}): Promise<number> {
  const gone = await deleteExpiredSignups(deps.database, new Date(deps.now()), SWEEP_LIMIT);
  if (gone.length > 0) deps.logger.info('account.signups_expired', { subs: gone.join(' ') });
  return gone.length;
}

/** Sweeps one run makes at most: a backlog is cleared over a few runs, never in one burst. */
const SWEEPS_PER_RUN = 20;

/**
 * Deletes expired sign-ups once at start and then every `intervalMs`, so an abandoned one
 * does not linger (in `users list`, the admin API, an operator's way) until the next sign-up
 * happens to sweep it. Like the audit pruner, every instance runs one; a failed run is logged
 * and tried again at the next interval.
 */
export function startSignupSweeper(deps: {
  database: Queryable;
  logger: Pick<Logger, 'info' | 'warn'>;
  now?: () => number;
  intervalMs?: number;
}): { stop(): void } {
  const { intervalMs = 10 * 60_000, now = Date.now } = deps;
  const run = async () => {
    try {
      for (let sweep = 0; sweep < SWEEPS_PER_RUN; sweep += 1) {
        if ((await dropExpiredSignups({ ...deps, now })) < SWEEP_LIMIT) break;
      }
    } catch (error) {
      deps.logger.warn('account.signup_sweep_failed', { error });
    }
  };
  void run();
  const timer = setInterval(() => void run(), intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
