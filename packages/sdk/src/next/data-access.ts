import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { readSessionCookie } from './cookies.js';
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
  secureCookies: boolean,
): (options?: GetSessionOptions) => Promise<LatchkeySession> {
  return async (options = {}) => {
    // The raw header, read as the proxy and logout read it (cookies.ts): Next's cookie map
    // would pick another copy of a duplicated name.
    const cookie = (await headers()).get('cookie');
    const state = await sessions.resolve(readSessionCookie(cookie, secureCookies), false);
    if (state.kind === 'active') return state.session;
    // Surfaces in the app's error boundary as a 503-style failure, not as a logout.
    if (state.kind === 'unavailable') throw state.error;
    redirect(`/auth/login?returnTo=${encodeURIComponent(safeReturnTo(options.returnTo))}`);
  };
}
