import type { Context } from 'koa';
import type { Session } from '../sessions/session.js';
import type { AccountDeps } from './account-deps.js';

/**
 * The account forms' CSRF token: the login form's mechanism (login/csrf-cookie.ts), bound to
 * the session instead of a pending login. The token sits in a host cookie and in every form;
 * its digest in the session record. A POST must carry the same token in both and match the
 * session, so it can come only from a page this browser was shown in this session. One
 * token per session (kept while the cookie matches), so two tabs never make each other stale.
 */
const CSRF_KEY = 'account';

export async function pageCsrfToken(
  ctx: Context,
  deps: Pick<AccountDeps, 'csrf' | 'now'> & {
    sessions: Pick<AccountDeps['sessions'], 'bindPageCsrf'>;
  },
  session: Session,
): Promise<string> {
  const held = deps.csrf.current(ctx, CSRF_KEY, session.pageCsrfDigest);
  if (held) return held;
  const nowMs = deps.now();
  const issued = deps.csrf.issue(ctx, CSRF_KEY, session.expiresAt - nowMs);
  // A session that ended meanwhile keeps no digest: the form then fails closed, as it must.
  await deps.sessions.bindPageCsrf(session, issued.digest, nowMs);
  return issued.token;
}

export function pageCsrfValid(
  ctx: Context,
  deps: Pick<AccountDeps, 'csrf'>,
  session: Session,
  formToken: string | undefined,
): boolean {
  return deps.csrf.verify(ctx, CSRF_KEY, formToken, session.pageCsrfDigest ?? null);
}

/** Signing out this browser ends the token with the session. */
export function clearPageCsrf(ctx: Context, deps: Pick<AccountDeps, 'csrf'>): void {
  deps.csrf.clear(ctx, CSRF_KEY);
}
