import type { Context, Middleware } from 'koa';
import { readForm } from '../oauth/form-body.js';
import type { AuthorizeDeps } from '../oauth/authorize/authorize-route.js';
import { issueCodeAndRedirect } from '../oauth/authorize/issue-code.js';
import type { PendingAuthorization } from '../oauth/authorize/pending-authorization.js';
import type { Session } from '../sessions/session.js';
import { SlotsBusyError } from '../users/hashing-slots.js';
import type { VerifyPassword } from '../users/password-hash.js';
import type { User } from '../users/user.js';
import { sendHtml } from '../views/html.js';
import { loginPage } from '../views/login-page.js';
import { messagePage } from '../views/message-page.js';
import type { Revoker } from '../sessions/revoker.js';
import type { CsrfCookie } from './csrf-cookie.js';
import type { LoginThrottle } from './login-throttle.js';

/** The authorization flow's dependencies, and the login form's own. */
export interface LoginDeps extends AuthorizeDeps {
  csrf: CsrfCookie;
  revoker: Revoker;
  throttle: LoginThrottle;
  /** The Argon2 check, run in the process's bounded hashing slots. */
  verifyPassword: VerifyPassword;
}

/** One message for an unknown user and a wrong password: nothing to enumerate accounts with. */
export const WRONG_CREDENTIALS = 'The username or password is incorrect.';
const BUSY = 'Sign-in is very busy right now. Please try again in a moment.';
/** The hashing queue drains in under a second (users/hashing-slots.ts). */
const BUSY_RETRY_AFTER_S = 1;
const EXPIRED =
  'This sign-in request has expired or was already used. Go back to the application and start again.';

/** GET /login?authz=…: the form for a pending authorization. */
export function showLoginRoute(deps: LoginDeps): Middleware {
  return async (ctx) => {
    const authz = typeof ctx.query.authz === 'string' ? ctx.query.authz : '';
    const pending = await deps.pending.find(authz, deps.now());
    if (!pending) return expired(ctx);
    await renderForm(ctx, deps, pending, 200, { username: pending.request.loginHint });
  };
}

/** POST /login: check the CSRF token, the throttle and the password; then start a session. */
export function submitLoginRoute(deps: LoginDeps): Middleware {
  return async (ctx) => {
    const form = await readForm(ctx, { maxBytes: 8 * 1024, maxValueLength: 1024 });
    const nowMs = deps.now();
    const pending = await deps.pending.find(form.single('authz') ?? '', nowMs);
    if (!pending) return expired(ctx);

    if (!deps.csrf.verify(ctx, pending.id, form.single('csrf'), pending.csrfDigest)) {
      return renderForm(ctx, deps, pending, 403, {
        error:
          'This form has expired or was opened in another browser. Please enter your details again.',
      });
    }

    const username = form.single('username') ?? '';
    const password = form.single('password') ?? '';
    if (username === '' || password === '') {
      return renderForm(ctx, deps, pending, 400, {
        username,
        error: 'Enter your username and password.',
      });
    }

    // Counted before the password is checked: see LoginThrottle.
    const retryAfter = await deps.throttle.admit(username, ctx.ip);
    if (retryAfter !== null) {
      ctx.set('Retry-After', String(retryAfter));
      return renderForm(ctx, deps, pending, 429, {
        username,
        error: `Too many failed attempts. Try again in ${describeWait(retryAfter)}.`,
      });
    }

    const user = await deps.users.findByUsername(username);
    const valid = await checkPassword(deps, user, password);
    if (valid === 'busy') {
      // A burst filled the hashing queue: this attempt was not checked, so it counts nowhere.
      await deps.throttle.release(username, ctx.ip);
      ctx.set('Retry-After', String(BUSY_RETRY_AFTER_S));
      return renderForm(ctx, deps, pending, 503, { username, error: BUSY });
    }
    // A disabled account answers exactly as a wrong password: nothing tells it apart.
    if (!user || !valid || user.state !== 'active') {
      return renderForm(ctx, deps, pending, 401, { username, error: WRONG_CREDENTIALS });
    }
    await deps.throttle.recordSuccess(username, ctx.ip);

    // Single use: of two concurrent submissions only one continues.
    const taken = await deps.pending.take(pending.id, nowMs);
    if (!taken) return expired(ctx);

    const session = await sessionAfterLogin(ctx, deps, user, nowMs);
    deps.cookie.write(ctx, session.sid, session.expiresAt);
    deps.csrf.clear(ctx, pending.id);
    await issueCodeAndRedirect(ctx, deps, taken.request, session);
  };
}

/**
 * Always exactly one Argon2 verification, user or no user: the same time for both. 'busy'
 * when the hashing queue is full (users/hashing-slots.ts).
 */
async function checkPassword(
  deps: LoginDeps,
  user: User | null,
  password: string,
): Promise<boolean | 'busy'> {
  try {
    return await deps.verifyPassword(user?.passwordHash ?? null, password);
  } catch (error) {
    if (error instanceof SlotsBusyError) return 'busy';
    throw error;
  }
}

/**
 * The session a successful login leaves the browser with. A re-authentication of the user the
 * browser's live session belongs to (`prompt=login`, `max_age`) keeps that session and its
 * `sid`, with the new authentication time: the tokens other applications hold for it stay
 * valid, as with Keycloak or Auth0. Anything else gets a new session with a new random `sid`:
 * a presented sid that names no live session of this user is never adopted (no session
 * fixation), and another user's session in this browser ends, so one browser never holds two
 * identities. That session is revoked, not just removed: the apps still signed in as the
 * previous user learn at once that it ended, instead of showing them until their tokens expire.
 */
async function sessionAfterLogin(
  ctx: Context,
  deps: LoginDeps,
  user: User,
  nowMs: number,
): Promise<Session> {
  const previousSid = deps.cookie.read(ctx);
  const previous = previousSid === undefined ? null : await deps.sessions.find(previousSid, nowMs);
  if (previous?.sub === user.id) return deps.sessions.reauthenticate(previous, nowMs);
  if (previous) await deps.revoker.revokeSession(previous, 'replaced_by_login');
  return deps.sessions.create({ sub: user.id, username: user.username }, nowMs);
}

async function renderForm(
  ctx: Context,
  deps: LoginDeps,
  pending: PendingAuthorization,
  status: number,
  view: { username?: string | undefined; error?: string },
): Promise<void> {
  const nowMs = deps.now();
  const client = deps.clients.find(pending.request.clientId);
  if (!client) return expired(ctx);
  // A fresh token for every form shown; the record keeps only the latest one's digest.
  const csrf = deps.csrf.issue(ctx, pending.id, pending.expiresAt - nowMs);
  if (!(await deps.pending.bindCsrf(pending, csrf.digest, nowMs))) {
    // Changed meanwhile (the same form open twice): bind to the current record instead.
    const current = await deps.pending.find(pending.id, nowMs);
    if (!current || !(await deps.pending.bindCsrf(current, csrf.digest, nowMs))) {
      return expired(ctx);
    }
  }
  sendHtml(
    ctx,
    status,
    loginPage({
      authz: pending.id,
      csrfToken: csrf.token,
      clientName: client.name,
      ...(view.username !== undefined && { username: view.username }),
      ...(view.error !== undefined && { error: view.error }),
    }),
    { hasForm: true, formTargets: [new URL(pending.request.redirectUri).origin] },
  );
}

function expired(ctx: Context): void {
  sendHtml(ctx, 400, messagePage('Sign-in expired', EXPIRED));
}

function describeWait(seconds: number): string {
  const minutes = Math.ceil(seconds / 60);
  return seconds < 60 ? `${seconds} seconds` : `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
