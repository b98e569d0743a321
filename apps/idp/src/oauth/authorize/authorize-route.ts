import type { Context, Middleware } from 'koa';
import type { ClientRegistry } from '../../clients/client.js';
import type { Config } from '../../config/config.js';
import type { SessionCookie } from '../../sessions/session-cookie.js';
import { sessionAcr, type Session, type SessionRepository } from '../../sessions/session.js';
import type { Store } from '../../store/store.js';
import type { User, UserRepository } from '../../users/user.js';
import { requestLocale } from '../../i18n/language-cookie.js';
import { sendHtml } from '../../views/html.js';
import { messagePage } from '../../views/message-page.js';
import { pageFrame } from '../../views/page-frame.js';
import { OAuthError } from '../oauth-errors.js';
import {
  AuthorizationPageError,
  InteractionRequiredError,
  LoginRequiredError,
} from './authorization-errors.js';
import { acrNeed, decideAcr } from './check-acr.js';
import { sendMfaRequiredPage } from './mfa-required-page.js';
import type { AuthorizationRequest } from './authorization-request.js';
import { redirectError } from './authorization-response.js';
import { readAuthorizeParams, type AuthorizeParams } from './authorize-params.js';
import { checkClientAndRedirectUri } from './check-client.js';
import { requiresFreshLogin } from './check-prompt.js';
import type { PendingAuthorization, PendingAuthorizations } from './pending-authorization.js';
import { checkPushRequired, pushedOrOwnParams } from '../par/pushed-authorize-params.js';
import type { PushedRequests } from '../par/pushed-requests.js';
import { validateAuthorizationRequest } from './validate-authorization-request.js';

export interface AuthorizeDeps {
  config: Config;
  store: Store;
  clients: ClientRegistry;
  sessions: SessionRepository;
  users: UserRepository;
  pending: PendingAuthorizations;
  /** RFC 9126 pushed requests, which a `request_uri` names (oauth/par/). */
  pushed: PushedRequests;
  cookie: SessionCookie;
  now: () => number;
  /**
   * The end of an authorization once the user is known and authenticated enough, here and
   * after a login: the code (issue-code.ts), or for a third-party client the consent page
   * (consent/complete-authorization.ts, which app.ts puts here).
   */
  complete: (ctx: Context, request: AuthorizationRequest, session: Session) => Promise<void>;
  /** Whether the user has a confirmed TOTP (mfa/); without it, no TOTP is asked for. */
  hasTotp?: (userId: string) => Promise<boolean>;
  /** Whether the user has a passkey (the passkeys wing fills it). */
  hasPasskeys?: (userId: string) => Promise<boolean>;
  /**
   * Steps the live `session` up in place (login/second-factor.ts `startSecondFactor` with the
   * session's amr and sid): the user proves the missing factor and keeps the `sid`. Without
   * it, a session below what the client needs goes through the full login form.
   */
  stepUp?: (ctx: Context, pending: PendingAuthorization, session: Session) => Promise<void>;
}

/** Whether the user enrolled a factor a login can ask for after the password. */
export async function hasSecondFactor(
  deps: Pick<AuthorizeDeps, 'hasTotp' | 'hasPasskeys'>,
  userId: string,
): Promise<boolean> {
  const checks = [deps.hasTotp, deps.hasPasskeys].filter((check) => check !== undefined);
  const answers = await Promise.all(checks.map((check) => check(userId)));
  return answers.includes(true);
}

/**
 * GET and POST /authorize (RFC 6749 §4.1.1, OIDC Core §3.1.2): take the pushed request a
 * `request_uri` names (RFC 9126 §4), validate the client and its redirect URI (a page on
 * failure), then the rest of the request (errors to the client), then either issue a code at
 * once from the browser's live session (single sign-on) or send the browser to the login form.
 */
export function authorizeRoute(deps: AuthorizeDeps): Middleware {
  return async (ctx) => {
    const sent = await readAuthorizeParams(ctx);
    let params = sent;
    let pushed = false;
    let target: ReturnType<typeof checkClientAndRedirectUri>;
    try {
      ({ params, pushed } = await pushedOrOwnParams(sent, deps.pushed));
      target = checkClientAndRedirectUri(params, deps.clients);
    } catch (error) {
      if (!(error instanceof AuthorizationPageError)) throw error;
      const frame = pageFrame(ctx, requestLocale(ctx, { uiLocales: readableUiLocales(params) }));
      const page = messagePage(frame, {
        title: 'error.cannotSignIn.title',
        message: frame.t.text('error.invalidRequest.message'),
        detail: `${error.error}: ${error.description}`,
      });
      sendHtml(ctx, 400, page);
      return;
    }

    const { client, redirectUri } = target;
    let state: string | undefined;
    try {
      state = params.single('state');
    } catch (error) {
      // A state we cannot echo faithfully is not echoed at all.
      if (error instanceof OAuthError) {
        return redirectError(ctx, redirectUri, deps.config.issuer, error, undefined);
      }
      throw error;
    }

    try {
      checkPushRequired(client, deps.config, pushed);
      const request = validateAuthorizationRequest(params, client, redirectUri, state);
      // A pushed request is single use: a link that repeats it would only meet an error.
      const retry = ctx.method === 'GET' && !pushed ? ctx.originalUrl : undefined;
      await authorize(ctx, deps, request, retry);
    } catch (error) {
      if (error instanceof OAuthError) {
        return redirectError(ctx, redirectUri, deps.config.issuer, error, state);
      }
      throw error;
    }
  };
}

async function authorize(
  ctx: Context,
  deps: AuthorizeDeps,
  request: AuthorizationRequest,
  retry: string | undefined,
) {
  const nowMs = deps.now();
  const live = await liveSession(ctx, deps, nowMs);
  const session = live?.session ?? null;
  const fresh = session !== null && !requiresFreshLogin(request, session, nowMs);
  if (live && fresh) {
    // Single sign-on, when the session reaches the level this client needs (check-acr.ts).
    const client = deps.clients.find(request.clientId);
    const need = acrNeed(request, client, live.user, deps.config.mfaRequiredRoles);
    const factor = await hasSecondFactor(deps, live.user.id);
    const decision = decideAcr(sessionAcr(live.session), need, factor);
    if (decision === 'satisfied') {
      const touched = await deps.sessions.touch(live.session, nowMs);
      await deps.complete(ctx, request, touched);
      return;
    }
    // OIDC Core §3.1.2.6: with prompt=none the IdP must not show anything. A second factor
    // is an authentication (login_required); setting one up is not (interaction_required).
    if (request.prompt.includes('none')) {
      if (decision === 'cannot') {
        throw new InteractionRequiredError('the user must set up a second factor first');
      }
      throw new LoginRequiredError('the session does not reach the requested acr');
    }
    if (decision === 'cannot') {
      // The user is signed in here and can set a factor up at once, then take this same
      // request again (a GET can be repeated; a POSTed or pushed one cannot be linked to).
      sendMfaRequiredPage(ctx, client?.name ?? request.clientId, undefined, retry);
      return;
    }
    if (deps.stepUp) {
      const pending = await deps.pending.create(request, nowMs);
      await deps.stepUp(ctx, pending, live.session);
      return;
    }
  }
  // OIDC Core §3.1.2.6: with prompt=none the IdP must not show anything.
  if (request.prompt.includes('none')) {
    throw new LoginRequiredError(
      session ? 'the login is older than max_age allows' : 'the user is not logged in',
    );
  }
  const pending = await deps.pending.create(request, nowMs);
  ctx.status = 303;
  ctx.set('Cache-Control', 'no-store');
  ctx.redirect(`/login?authz=${encodeURIComponent(pending.id)}`);
}

/** The browser's IdP session and its user, if it has a live one whose user is active. */
async function liveSession(
  ctx: Context,
  deps: AuthorizeDeps,
  nowMs: number,
): Promise<{ session: Session; user: User } | null> {
  const sid = deps.cookie.read(ctx);
  if (sid === undefined) return null;
  const session = await deps.sessions.find(sid, nowMs);
  if (!session) return null;
  // A session of a user since removed or disabled signs nobody in.
  const user = await deps.users.findById(session.sub);
  return user?.state === 'active' ? { session, user } : null;
}

/** The page's language hint, when the request states it once and readably. */
function readableUiLocales(params: AuthorizeParams): string | undefined {
  try {
    return params.single('ui_locales');
  } catch {
    return undefined;
  }
}
