import type { Context } from 'koa';
import { RETURN_PATH_PREFIXES, safeReturnPath } from '../http/return-path.js';
import type { AuthorizeDeps } from '../oauth/authorize/authorize-route.js';
import type { PendingAuthorization } from '../oauth/authorize/pending-authorization.js';
import type { Revoker } from '../sessions/revoker.js';
import type { SessionCookie } from '../sessions/session-cookie.js';
import type { Authentication, Session, SessionRepository } from '../sessions/session.js';
import type { Store } from '../store/store.js';
import type { CsrfCookie } from './csrf-cookie.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import { requestFacts } from '../audit/request-facts.js';

/** What the end of a login needs: a subset of LoginDeps. */
export interface FinishLoginDeps {
  store: Store;
  config: { issuer: string };
  sessions: SessionRepository;
  cookie: SessionCookie;
  csrf: CsrfCookie;
  revoker: Pick<Revoker, 'revokeSession'>;
  now: () => number;
  audit: AuditTrail;
  /** The code, or the consent page (AuthorizeDeps['complete']). */
  complete: AuthorizeDeps['complete'];
}

/**
 * The end of every successful login, whatever proved it (a password alone, a password and a
 * second factor, a passkey): the browser's session is created or re-authenticated with how
 * the user authenticated (`amr`, and the `acr` it reaches), its cookie written, the login
 * form's CSRF cookie cleared, then a code is issued to the application (or its consent page
 * shown, consent/) or the browser goes back to the IdP page that asked. `taken` must already
 * be taken from the store (single use), and the user checked active by the caller. Answers
 * with a 303 redirect.
 */
export async function finishLogin(
  ctx: Context,
  deps: FinishLoginDeps,
  taken: PendingAuthorization,
  user: { id: string; username: string },
  authentication: Authentication,
): Promise<Session> {
  const nowMs = deps.now();
  const { session, created } = await sessionAfterLogin(ctx, deps, user, authentication, nowMs);
  const about = {
    actor: { kind: 'user' as const, id: user.id },
    subject: user.id,
    client: taken.request?.clientId,
    session: session.sid,
    request: requestFacts(ctx),
  };
  if (created) await deps.audit.record({ type: 'session.created', ...about });
  await deps.audit.record({
    type: 'login.succeeded',
    ...about,
    detail: {
      amr: authentication.amr.join(' '),
      ...(session.acr !== undefined && { acr: session.acr }),
      ...(!created && { same_session: true }),
    },
  });
  deps.cookie.write(ctx, session.sid, session.expiresAt);
  deps.csrf.clear(ctx, taken.id);
  if (taken.request) await deps.complete(ctx, taken.request, session);
  else backToPage(ctx, taken.page.returnTo);
  return session;
}

/**
 * The end of a login one of the IdP's own pages asked for: back to that page. The path was
 * checked when the login was asked for and is checked again here: whatever the store holds,
 * the browser is never sent off this host (no open redirect).
 */
function backToPage(ctx: Context, returnTo: string): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.redirect(safeReturnPath(returnTo) ?? RETURN_PATH_PREFIXES[0]!);
  // 303: the page is fetched with GET, the login form's POST is not repeated.
  ctx.status = 303;
}

/**
 * The session a successful login leaves the browser with. A re-authentication of the user the
 * browser's live session belongs to (`prompt=login`, `max_age`, a step-up) keeps that session
 * and its `sid`, with the new authentication time and methods: the tokens other applications
 * hold for it stay valid, as with Keycloak or Auth0. Anything else gets a new session with a
 * new random `sid`: a presented sid that names no live session of this user is never adopted
 * (no session fixation), and another user's session in this browser ends, so one browser
 * never holds two identities. That session is revoked, not just removed: the apps still
 * signed in as the previous user learn at once that it ended.
 */
async function sessionAfterLogin(
  ctx: Context,
  deps: FinishLoginDeps,
  user: { id: string; username: string },
  authentication: Authentication,
  nowMs: number,
): Promise<{ session: Session; created: boolean }> {
  const previousSid = deps.cookie.read(ctx);
  const previous = previousSid === undefined ? null : await deps.sessions.find(previousSid, nowMs);
  if (previous?.sub === user.id) {
    const session = await deps.sessions.reauthenticate(previous, nowMs, authentication);
    return { session, created: false };
  }
  if (previous) await deps.revoker.revokeSession(previous, 'replaced_by_login');
  const device = { userAgent: ctx.get('User-Agent') || undefined, address: ctx.ip || undefined };
  const session = await deps.sessions.create(
    { sub: user.id, username: user.username },
    nowMs,
    device,
    authentication,
  );
  return { session, created: true };
}
