import { timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import { pageCsrfValid } from '../account/page-csrf.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import { requestFacts } from '../audit/request-facts.js';
import { isForeignOrigin } from '../http/same-origin.js';
import { requestLocale } from '../i18n/language-cookie.js';
import { browserSession } from '../login/page-login.js';
import type { SessionCookie } from '../sessions/session-cookie.js';
import type { SessionRepository } from '../sessions/session.js';
import type { UserRepository } from '../users/user.js';
import { sendHtml } from '../views/html.js';
import { pageFrame } from '../views/page-frame.js';
import { AccessDeniedError } from '../oauth/authorize/authorization-errors.js';
import { redirectError } from '../oauth/authorize/authorization-response.js';
import { mayRequestScopes } from '../oauth/authorize/check-scope.js';
import { issueCodeAndRedirect } from '../oauth/authorize/issue-code.js';
import { readForm } from '../oauth/form-body.js';
import { InvalidScopeError } from '../oauth/oauth-errors.js';
import type { CompleteAuthorizationDeps } from './complete-authorization.js';
import { consentRefusedPage } from './consent-page.js';
import { recordConsent } from './app-access.js';

export interface ConsentRouteDeps extends CompleteAuthorizationDeps {
  sessions: SessionRepository;
  cookie: SessionCookie;
  users: Pick<UserRepository, 'findById'>;
  audit: AuditTrail;
}

/** The form carries four short fields. */
const FORM_LIMITS = { maxBytes: 4 * 1024, maxValueLength: 512 };

/**
 * POST /consent: the consent page's answer (`decision` = allow or deny). It counts only with
 * the page's CSRF token (account/page-csrf.ts), from the very session that was shown the page
 * (the pending record names its sid), once. Allow remembers the scopes for this user and
 * client and issues the code; deny sends `access_denied` to the client with its `state`
 * (RFC 6749 §4.1.2.1). No scope travels in the form: what is granted is exactly what the
 * pending request holds, checked again against the client's registration.
 */
export function consentRoute(deps: ConsentRouteDeps): Middleware {
  return async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const refused = (status: number, chosen?: string) => {
      const frame = pageFrame(ctx, requestLocale(ctx, { chosen }));
      sendHtml(ctx, status, consentRefusedPage(frame));
    };
    if (isForeignOrigin(ctx, new URL(deps.config.issuer).origin)) return refused(403);
    const form = await readForm(ctx, FORM_LIMITS);
    const lang = form.single('lang');
    const nowMs = deps.now();
    const authz = form.single('authz') ?? '';
    const pending = await deps.pending.find(authz, nowMs);
    if (!pending?.request || pending.consentSid === undefined) return refused(400, lang);
    const session = await browserSession(ctx, deps);
    if (!session || !sameSid(session.sid, pending.consentSid)) return refused(403, lang);
    if (!pageCsrfValid(ctx, deps, session, form.single('csrf'))) return refused(403, lang);
    const decision = form.single('decision');
    if (decision !== 'allow' && decision !== 'deny') return refused(400, lang);
    // Single use: of two answers sent together, one counts.
    const taken = await deps.pending.take(authz, nowMs);
    const request = taken?.request;
    if (!request) return refused(400, lang);
    const client = deps.clients.find(request.clientId);
    const user = await deps.users.findById(session.sub);
    // The client deleted or the user disabled while the page was open: nothing to answer to.
    if (!client || user?.state !== 'active') return refused(400, lang);
    const back = (error: AccessDeniedError | InvalidScopeError) =>
      redirectError(ctx, request.redirectUri, deps.config.issuer, error, request.state);
    if (decision === 'deny') {
      // Recorded like device.denied: a user saying no to an app is worth seeing afterwards.
      await deps.audit.record({
        type: 'consent.denied',
        actor: { kind: 'user', id: user.id },
        subject: user.id,
        client: client.id,
        session: session.sid,
        request: requestFacts(ctx),
        detail: { scope: request.scope.join(' ') },
      });
      return back(new AccessDeniedError('the user denied the request'));
    }
    if (!mayRequestScopes(client, request.scope)) {
      return back(new InvalidScopeError('the client may no longer request this scope'));
    }
    await recordConsent(deps, {
      userId: user.id,
      clientId: client.id,
      scope: request.scope,
      via: 'consent_page',
      sid: session.sid,
      request: requestFacts(ctx),
    });
    await issueCodeAndRedirect(ctx, deps, request, session);
  };
}

function sameSid(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
