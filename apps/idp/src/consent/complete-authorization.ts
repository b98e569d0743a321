import type { Context } from 'koa';
import { pageCsrfToken } from '../account/page-csrf.js';
import type { ClientRegistry } from '../clients/client.js';
import type { Config } from '../config/config.js';
import { grantCovers, type ConsentGrants } from './consent-grants.js';
import { requestLocale } from '../i18n/language-cookie.js';
import type { CsrfCookie } from '../login/csrf-cookie.js';
import type { Session, SessionRepository } from '../sessions/session.js';
import type { Store } from '../store/store.js';
import { sendHtml } from '../views/html.js';
import { pageFrame } from '../views/page-frame.js';
import { ConsentRequiredError } from '../oauth/authorize/authorization-errors.js';
import type { AuthorizationRequest } from '../oauth/authorize/authorization-request.js';
import { redirectError } from '../oauth/authorize/authorization-response.js';
import { mayRequestScopes } from '../oauth/authorize/check-scope.js';
import { issueCodeAndRedirect } from '../oauth/authorize/issue-code.js';
import type { PendingAuthorizations } from '../oauth/authorize/pending-authorization.js';
import { InvalidScopeError } from '../oauth/oauth-errors.js';
import { consentPage } from './consent-page.js';

/** What the end of an authorization needs, from /authorize (single sign-on) or a login. */
export interface CompleteAuthorizationDeps {
  store: Store;
  config: Pick<Config, 'issuer'>;
  sessions: Pick<SessionRepository, 'addClient' | 'bindPageCsrf'>;
  clients: ClientRegistry;
  pending: PendingAuthorizations;
  now: () => number;
  /** What users allowed third-party clients (consent/consent-grants.ts). */
  consents: ConsentGrants;
  /** The account forms' CSRF cookie, which the consent form shares (account/page-csrf.ts). */
  csrf: CsrfCookie;
}

/**
 * The end of every authorization once the user is known and authenticated enough: a code
 * for a first-party client, or for a third party the user already allowed every scope asked
 * for; otherwise the consent page (also whenever `prompt=consent`), or `consent_required`
 * with `prompt=none` (OIDC Core §3.1.2.6), which may show nothing.
 */
export async function completeAuthorization(
  ctx: Context,
  deps: CompleteAuthorizationDeps,
  request: AuthorizationRequest,
  session: Session,
): Promise<void> {
  const client = deps.clients.find(request.clientId);
  if (client?.firstParty !== false) {
    await issueCodeAndRedirect(ctx, deps, request, session);
    return;
  }
  const refuse = (error: InvalidScopeError | ConsentRequiredError) =>
    redirectError(ctx, request.redirectUri, deps.config.issuer, error, request.state);
  // The request may have waited (a login, a second factor) while the client changed.
  if (!mayRequestScopes(client, request.scope)) {
    return refuse(new InvalidScopeError('the client may no longer request this scope'));
  }
  const asked = request.prompt.includes('consent');
  if (!asked && grantCovers(await deps.consents.find(session.sub, client.id), request.scope)) {
    await issueCodeAndRedirect(ctx, deps, request, session);
    return;
  }
  if (request.prompt.includes('none')) {
    return refuse(new ConsentRequiredError('the user has not allowed this client these scopes'));
  }
  const nowMs = deps.now();
  const pending = await deps.pending.create(request, nowMs, session.sid);
  const csrfToken = await pageCsrfToken(ctx, deps, session);
  const frame = pageFrame(ctx, requestLocale(ctx, { uiLocales: request.uiLocale }));
  const html = consentPage(frame, {
    authz: pending.id,
    csrfToken,
    clientName: client.name,
    username: session.username,
    scope: request.scope,
  });
  // CSP form-action covers the redirect that answers the form: the client's origin too.
  sendHtml(ctx, 200, html, { hasForm: true, formTargets: [new URL(request.redirectUri).origin] });
}
