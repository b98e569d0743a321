import type { Middleware } from 'koa';
import type { PlainMessageKey } from '../i18n/catalogue.js';
import type { Session } from '../sessions/session.js';
import { sendHtml } from '../views/html.js';
import { pageFrame } from '../views/page-frame.js';
import type { AccountDeps } from './account-deps.js';
import { accountPage, type SessionRow } from './account-view.js';
import { deviceLabel } from './device-label.js';
import { pageCsrfToken } from './page-csrf.js';
import { sessionHandle } from './session-handle.js';
import { signedIn } from './signed-in.js';

/**
 * What the last action did, named in the redirect's query (`?done=…`). Only these words: the
 * page never shows text taken from the URL.
 */
export const NOTICES = {
  'session-ended': 'account.done.sessionEnded',
  'others-ended': 'account.done.othersEnded',
  'password-changed': 'account.done.passwordChanged',
  'access-removed': 'account.done.accessRemoved',
} as const satisfies Record<string, PlainMessageKey>;
export type Notice = keyof typeof NOTICES;

/**
 * GET /account: profile, sessions and their apps, the third-party apps with access, the way
 * to the password form.
 */
export function showAccountRoute(deps: AccountDeps): Middleware {
  return async (ctx) => {
    const state = await signedIn(ctx, deps, '/account');
    if (!state) return;
    const { session, user, locale } = state;
    const csrfToken = await pageCsrfToken(ctx, deps, session);
    const sessions = await deps.sessions.listForUser(user.id, deps.now());
    // The current one may have been touched after the list was read: show it as it is now.
    const others = sessions.filter(({ sid }) => sid !== session.sid);
    const rows = await Promise.all(
      [session, ...others.sort((a, b) => b.createdAt - a.createdAt)].map((each) =>
        sessionRow(deps, each, each.sid === session.sid),
      ),
    );
    const done = ctx.query.done;
    const notice =
      typeof done === 'string' && Object.hasOwn(NOTICES, done)
        ? NOTICES[done as Notice]
        : undefined;
    const apps = deps.appsWithAccess ? await deps.appsWithAccess(user.id) : [];
    const twoFactor = deps.secondFactorStatus ? await deps.secondFactorStatus(user.id) : undefined;
    const frame = pageFrame(ctx, locale, '/account');
    const html = accountPage(frame, {
      csrfToken,
      profile: {
        username: user.username,
        name: user.name,
        email: user.email,
        roles: user.roles,
        createdAt: user.createdAt.getTime(),
      },
      sessions: rows,
      apps,
      notice,
      ...(twoFactor && { twoFactor }),
    });
    sendHtml(ctx, 200, html, { hasForm: true, referrerPolicy: 'same-origin' });
  };
}

async function sessionRow(
  deps: AccountDeps,
  session: Session,
  current: boolean,
): Promise<SessionRow> {
  const clientIds = await deps.sessions.clientsOf(session.sid);
  const apps = clientIds
    .map((id) => deps.clients.find(id)?.name ?? id)
    .sort((a, b) => a.localeCompare(b));
  return {
    handle: sessionHandle(session.sid),
    current,
    device: deviceLabel(session.userAgent),
    userAgent: session.userAgent,
    address: session.address,
    createdAt: session.createdAt,
    lastSeenAt: session.lastSeenAt,
    apps,
  };
}
