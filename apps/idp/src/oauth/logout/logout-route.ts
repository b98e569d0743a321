import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import type { ClientRegistry } from '../../clients/client.js';
import type { Config } from '../../config/config.js';
import type { KeyManager } from '../../keys/key-manager.js';
import type { Revoker } from '../../sessions/revoker.js';
import type { SessionCookie } from '../../sessions/session-cookie.js';
import type { SessionRepository } from '../../sessions/session.js';
import { ownJwsReader } from '../bearer/own-access-token.js';
import { renderConfirm, renderLogoutError, renderSignedOut } from './logout-pages.js';
import { LogoutRequestError, readLogoutRequest, type LogoutRequest } from './logout-request.js';

export interface LogoutDeps {
  config: Config;
  keys: KeyManager;
  clients: ClientRegistry;
  sessions: SessionRepository;
  revoker: Revoker;
  cookie: SessionCookie;
  now: () => number;
}

/**
 * GET|POST /logout (OpenID Connect RP-Initiated Logout 1.0). Ends the IdP session of the
 * browser's cookie through the revoker (every SDK drops its tokens at once); clears the
 * cookie; then redirects to a registered `post_logout_redirect_uri` with `state`, or says
 * "signed out".
 *
 * Logout CSRF (§2: the OP SHOULD ask the user to confirm). Without confirmation the session
 * ends only when an unexpired `id_token_hint` names the browser's own session (same `sid` and
 * `sub`): that proves the request comes from an application this browser signed in to. A
 * hint alone never ends a session: ID tokens travel in logout URLs, so whoever holds one
 * could otherwise sign its user out everywhere. With no hint, an expired one, or one for
 * another session, the user sees a confirmation form; its POST carries a token derived from
 * the session id, which another site cannot know (`*.localhost` siblings are same-site, so
 * SameSite=Lax alone is not enough). A browser with no session has nothing to end.
 */
export function logoutRoute(deps: LogoutDeps): Middleware {
  const read = ownJwsReader(deps.keys);
  return async (ctx) => {
    let request: LogoutRequest;
    try {
      request = await readLogoutRequest(ctx, {
        clients: deps.clients,
        issuer: deps.config.issuer,
        read,
        now: deps.now,
      });
    } catch (error) {
      if (error instanceof LogoutRequestError) return renderLogoutError(ctx, error.message);
      throw error;
    }
    const at = deps.now();
    const cookieSid = deps.cookie.read(ctx);
    const browserSession = cookieSid ? await deps.sessions.find(cookieSid, at) : null;
    const { hint } = request;

    const vouched =
      browserSession !== null &&
      hint !== null &&
      !hint.expired &&
      hint.sid === browserSession.sid &&
      hint.sub === browserSession.sub;
    const confirmed =
      request.confirmation !== null &&
      (browserSession === null || csrfMatches(request.confirmation.csrf, browserSession.sid));
    // A hint without the browser's session is asked about too, so that sending one to a
    // browser never shows "signed out" for a session that is still alive elsewhere.
    const mustAsk = browserSession !== null || hint !== null;
    if (mustAsk && !vouched && !confirmed) {
      const origin = request.postLogoutRedirectUri
        ? new URL(request.postLogoutRedirectUri).origin
        : undefined;
      return renderConfirm(
        ctx,
        {
          csrf: browserSession ? csrfFor(browserSession.sid) : '',
          clientId: request.client?.id,
          postLogoutRedirectUri: request.postLogoutRedirectUri,
          state: request.state,
        },
        origin,
      );
    }

    if (browserSession) await deps.revoker.revokeSession(browserSession, 'logout');
    if (cookieSid !== undefined) deps.cookie.clear(ctx);

    if (request.postLogoutRedirectUri === undefined) return renderSignedOut(ctx);
    const target = new URL(request.postLogoutRedirectUri);
    if (request.state !== undefined) target.searchParams.append('state', request.state);
    ctx.set('Cache-Control', 'no-store');
    ctx.redirect(target.href);
    // 303: the follow-up is a GET even when the logout came as a POST.
    ctx.status = 303;
  };
}

/** The confirmation form's token: bound to the session, unknowable without its id. */
function csrfFor(sid: string): string {
  return createHash('sha256')
    .update(`latchkey logout confirmation\u0000${sid}`)
    .digest('base64url');
}

function csrfMatches(presented: string | undefined, sid: string): boolean {
  if (presented === undefined) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(csrfFor(sid)).digest();
  return timingSafeEqual(a, b);
}
