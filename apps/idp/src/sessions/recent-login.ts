import { authenticatedAtMs, type Session } from './session.js';

/**
 * How recent a login must be for a sensitive action on the IdP's own pages: changing the
 * password, signing out every other session, and (issue 12) adding or removing a second
 * factor. A session left open on a shared computer, or a stolen session cookie, must not be
 * enough to take the account over: whoever acts must have typed the password lately.
 * NIST SP 800-63B §7.1 asks the same of reauthentication before sensitive changes.
 */
export const RECENT_LOGIN_MS = 10 * 60_000;

/**
 * True when the session's user proved who they are at most {@link RECENT_LOGIN_MS} ago. A
 * login stamped ahead of this clock (another instance's clock ahead) counts as recent: it
 * was made just now somewhere.
 */
export function isRecentLogin(
  session: Pick<Session, 'authTime' | 'authTimeMs'>,
  nowMs: number,
): boolean {
  return nowMs - authenticatedAtMs(session) <= RECENT_LOGIN_MS;
}
