import type { Context } from 'koa';
import type { PendingAuthorizations } from '../oauth/authorize/pending-authorization.js';
import { isRecentLogin } from '../sessions/recent-login.js';
import type { SessionCookie } from '../sessions/session-cookie.js';
import type { Session, SessionRepository } from '../sessions/session.js';

/**
 * How the IdP's own pages (the account page; the second-factor pages of issue 12) sign a
 * person in: the same login form as the applications, through a pending "page login" that
 * comes back to a path on this host (http/return-path.ts) instead of issuing a code. Used
 * for a browser without a session, and again for a sensitive action on a session whose
 * login is too old (re-authentication: the same user, the same session, a new auth time).
 */
export interface PageLoginDeps {
  sessions: SessionRepository;
  cookie: SessionCookie;
  pending: PendingAuthorizations;
  now: () => number;
}

export interface LoginRequest {
  /** The page to come back to: one of the IdP's own paths, or the request is refused. */
  returnTo: string;
  /** The page's language, kept for the login form. */
  locale: string;
  /** The session whose login is too old, for a re-authentication. */
  reauthOf?: Session;
}

/** Sends the browser to the login form; after the login it comes back to `returnTo`. */
export async function askForLogin(
  ctx: Context,
  deps: PageLoginDeps,
  request: LoginRequest,
): Promise<void> {
  const pending = await deps.pending.createForPage(
    {
      returnTo: request.returnTo,
      reauth: request.reauthOf !== undefined,
      ...(request.reauthOf && { loginHint: request.reauthOf.username }),
      uiLocale: request.locale,
    },
    deps.now(),
  );
  ctx.set('Cache-Control', 'no-store');
  ctx.redirect(`/login?authz=${encodeURIComponent(pending.id)}`);
  // 303: the page after the login is a GET, whatever method asked for it.
  ctx.status = 303;
}

/**
 * The browser's live session, its activity recorded (the account page's "last active"); null
 * when there is none, after clearing a cookie that names no session.
 */
export async function browserSession(ctx: Context, deps: PageLoginDeps): Promise<Session | null> {
  const sid = deps.cookie.read(ctx);
  if (sid === undefined) return null;
  const nowMs = deps.now();
  const session = await deps.sessions.find(sid, nowMs);
  if (!session) {
    deps.cookie.clear(ctx);
    return null;
  }
  return deps.sessions.touch(session, nowMs);
}

/**
 * The rule for sensitive actions, in one place (sessions/recent-login.ts): true when the
 * session's login is recent enough; otherwise the browser is sent to re-authenticate and
 * come back to `returnTo`, and the caller stops.
 */
export async function requireRecentLogin(
  ctx: Context,
  deps: PageLoginDeps,
  session: Session,
  back: Omit<LoginRequest, 'reauthOf'>,
): Promise<boolean> {
  if (isRecentLogin(session, deps.now())) return true;
  await askForLogin(ctx, deps, { ...back, reauthOf: session });
  return false;
}
