import type { Context } from 'koa';
import type { Config } from '../../config/config.js';
import {
  sessionAcr,
  sessionAmr,
  type Session,
  type SessionRepository,
} from '../../sessions/session.js';
import type { Store } from '../../store/store.js';
import { issueAuthorizationCode } from '../../tokens/authorization-code.js';
import type { AuthorizationRequest } from './authorization-request.js';
import { redirectToClient } from './authorization-response.js';

/**
 * The successful end of an authorization, from /authorize (single sign-on) or /login: a code
 * bound to the client, the redirect URI, the PKCE challenge and the session, sent back to the
 * client with `state` and `iss` (RFC 6749 §4.1.2, RFC 9207).
 */
export async function issueCodeAndRedirect(
  ctx: Context,
  deps: {
    store: Store;
    config: Pick<Config, 'issuer'>;
    sessions: Pick<SessionRepository, 'addClient'>;
  },
  request: AuthorizationRequest,
  session: Session,
): Promise<void> {
  // The app joins the session's list (the account page's "signed in through") in the same
  // round of store writes as the code: one set addition, no read of the session record.
  const [code] = await Promise.all([
    issueCode(deps.store, request, session),
    deps.sessions.addClient(session, request.clientId),
  ]);
  redirectToClient(ctx, request.redirectUri, deps.config.issuer, { code, state: request.state });
}

function issueCode(store: Store, request: AuthorizationRequest, session: Session): Promise<string> {
  return issueAuthorizationCode(store, {
    clientId: request.clientId,
    redirectUri: request.redirectUri,
    codeChallenge: request.codeChallenge,
    scope: request.scope,
    resources: request.resources,
    ...(request.nonce !== undefined && { nonce: request.nonce }),
    ...(request.dpopJkt !== undefined && { dpopJkt: request.dpopJkt }),
    sid: session.sid,
    sub: session.sub,
    authTime: session.authTime,
    amr: [...sessionAmr(session)],
    acr: sessionAcr(session),
  });
}
