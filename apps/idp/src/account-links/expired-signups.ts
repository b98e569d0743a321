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
