import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { SESSION_COOKIE } from './cookies.js';
import { safeReturnTo } from './return-to.js';
import type { LatchkeySession, SessionResolver } from './session-resolver.js';

export interface GetSessionOptions {
  /** This page's path, to come back to after signing in. Default `/`. */
  returnTo?: string;
}

/**
 * The check every protected Server Component and route handler makes for itself, whatever the
 * proxy did. It never refreshes (a Server Component cannot store the rotated cookie); the proxy
 * refreshes ahead of expiry, so a session that reaches here expired goes back to sign in.
 */
export function createGetSession(
  sessions: SessionResolver,
): (options?: GetSessionOptions) => Promise<LatchkeySession> {
  return async (options = {}) => {
    const jar = await cookies();
    const state = await sessions.resolve(jar.get(SESSION_COOKIE)?.value, false);
    if (state.kind === 'active') return state.session;
    // Surfaces in the app's error boundary as a 503-style failure, not as a logout.
    if (state.kind === 'unavailable') throw state.error;
    redirect(`/auth/login?returnTo=${encodeURIComponent(safeReturnTo(options.returnTo))}`);
  };
}
