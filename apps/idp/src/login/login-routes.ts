import { requestFacts } from '../audit/request-facts.js';
import type { Context, Middleware } from 'koa';
import { readForm } from '../oauth/form-body.js';
import { hasSecondFactor, type AuthorizeDeps } from '../oauth/authorize/authorize-route.js';
import { acrNeed, decideAcr } from '../oauth/authorize/check-acr.js';
import { sendMfaRequiredPage } from '../oauth/authorize/mfa-required-page.js';
import { ACR_PASSWORD } from '../sessions/assurance.js';
import type { PendingAuthorization } from '../oauth/authorize/pending-authorization.js';
import { PASSWORD_AUTHENTICATION } from '../sessions/session.js';
import { SlotsBusyError } from '../users/hashing-slots.js';
import type { VerifyPassword } from '../users/password-hash.js';
import type { User } from '../users/user.js';
import type { MessageKey, PlainMessageKey } from '../i18n/catalogue.js';
import { requestLocale } from '../i18n/language-cookie.js';
import type { Translator } from '../i18n/translate.js';
import { describeWait } from '../i18n/wait.js';
import { sendHtml } from '../views/html.js';
import { loginPage } from '../views/login-page.js';
import { pageFrame } from '../views/page-frame.js';
import type { Revoker } from '../sessions/revoker.js';
import type { CsrfCookie } from './csrf-cookie.js';
import { finishLogin } from './finish-login.js';
import { loginExpired } from './login-expired.js';
import type { LoginThrottle } from './login-throttle.js';
import { startSecondFactor, type SecondFactorDeps } from './second-factor.js';

/** The authorization flow's dependencies, and the login form's own. */
export interface LoginDeps extends AuthorizeDeps, Omit<SecondFactorDeps, keyof AuthorizeDeps> {
  csrf: CsrfCookie;
  revoker: Revoker;
  throttle: LoginThrottle;
  /** The Argon2 check, run in the process's bounded hashing slots. */
  verifyPassword: VerifyPassword;
  /**
   * A passwordless sign-in ceremony for the form of pending authorization `authz` (the
   * passkeys wing fills it): the challenge's handle and the WebAuthn options, shown with the
   * form. Without it the form offers no passkey.
   */
  passkeyLogin?: (authz: string, nowMs: number) => Promise<{ handle: string; optionsJson: string }>;
}

/** One message for an unknown user and a wrong password: nothing to enumerate accounts with. */
export const WRONG_CREDENTIALS = 'login.error.wrongCredentials' satisfies MessageKey;
/** The hashing queue drains in under a second (users/hashing-slots.ts). */
const BUSY_RETRY_AFTER_S = 1;

/** The login form's alert: a catalogue message, translated when the page is rendered. */
type LoginError = (t: Translator) => string;
const message =
  (key: PlainMessageKey): LoginError =>
  (t) =>
    t.text(key);

/** GET /login?authz=…: the form for a pending authorization. */
export function showLoginRoute(deps: LoginDeps): Middleware {
  return async (ctx) => {
    const authz = typeof ctx.query.authz === 'string' ? ctx.query.authz : '';
    const pending = await deps.pending.find(authz, deps.now());
    if (!pending) return expired(ctx);
    const hint = pending.request ? pending.request.loginHint : pending.page.loginHint;
    await renderForm(ctx, deps, pending, 200, { username: hint });
  };
}

/** POST /login: check the CSRF token, the throttle and the password; then start a session. */
export function submitLoginRoute(deps: LoginDeps): Middleware {
  return async (ctx) => {
    const form = await readForm(ctx, { maxBytes: 8 * 1024, maxValueLength: 1024 });
    const nowMs = deps.now();
    const pending = await deps.pending.find(form.single('authz') ?? '', nowMs);
    // The answer speaks the language the form was shown in.
    const chosen = form.single('lang');
    if (!pending) return expired(ctx, chosen);

    if (!deps.csrf.verify(ctx, pending.id, form.single('csrf'), pending.csrfDigest)) {
      return renderForm(ctx, deps, pending, 403, {
        chosen,
        error: message('login.error.formExpired'),
      });
    }

    const username = form.single('username') ?? '';
    const password = form.single('password') ?? '';
    if (username === '' || password === '') {
      return renderForm(ctx, deps, pending, 400, {
        chosen,
        username,
        error: message('login.error.missingFields'),
      });
    }

    // Counted before the password is checked: see LoginThrottle.
    const retryAfter = await deps.throttle.admit(username, ctx.ip);
    // Recorded under the user when one has this name; the text typed is never recorded (it
    // is sometimes the password, typed into the wrong field).
    const failed = async (reason: string, subject?: string) =>
      deps.audit.record({
        type: 'login.failed',
        subject,
        client: pending.request?.clientId,
        request: requestFacts(ctx),
        detail: { reason },
      });
    if (retryAfter !== null) {
      await failed('throttled');
      ctx.set('Retry-After', String(retryAfter));
      return renderForm(ctx, deps, pending, 429, {
        chosen,
        username,
        error: (t) => t.text('login.error.tooManyAttempts', { wait: describeWait(t, retryAfter) }),
      });
    }

    const user = await deps.users.findByUsername(username);
    const valid = await checkPassword(deps, user, password);
    if (valid === 'busy') {
      // A burst filled the hashing queue: this attempt was not checked, so it counts nowhere.
      await deps.throttle.release(username, ctx.ip);
      ctx.set('Retry-After', String(BUSY_RETRY_AFTER_S));
      return renderForm(ctx, deps, pending, 503, {
        chosen,
        username,
        error: message('login.error.busy'),
      });
    }
    // Signed up, address not confirmed yet: only someone who knows the password learns it,
    // and what they need to hear is where to look, not "wrong password".
    if (user?.state === 'pending' && valid) {
      await failed('not_verified', user.id);
      return renderForm(ctx, deps, pending, 401, {
        chosen,
        username,
        error: message('login.error.notVerified'),
      });
    }
    // A disabled account answers exactly as a wrong password: nothing tells it apart.
    if (!user || !valid || user.state !== 'active') {
      await failed(!user ? 'unknown_user' : !valid ? 'wrong_password' : 'disabled', user?.id);
      return renderForm(ctx, deps, pending, 401, {
        chosen,
        username,
        error: message(WRONG_CREDENTIALS),
      });
    }
    await deps.throttle.recordSuccess(username, ctx.ip);

    if (await hasSecondFactor(deps, user.id)) {
      // The pending authorization stays until the second factor is given (login/second-factor.ts).
      const locale = requestLocale(ctx, { chosen, uiLocales: uiLocaleOf(pending) });
      await startSecondFactor(ctx, deps, pending, user, { ...PASSWORD_AUTHENTICATION, locale });
      return;
    }

    // No second factor to ask for: a client (or the user's role) that needs one gets no code.
    if (pending.request) {
      const client = deps.clients.find(pending.request.clientId);
      const need = acrNeed(pending.request, client, user, deps.config.mfaRequiredRoles);
      if (decideAcr(ACR_PASSWORD, need, false) === 'cannot') {
        deps.csrf.clear(ctx, pending.id);
        return sendMfaRequiredPage(ctx, client?.name ?? pending.request.clientId, chosen);
      }
    }

    // Single use: of two concurrent submissions only one continues.
    const taken = await deps.pending.take(pending.id, nowMs);
    if (!taken) return expired(ctx, chosen);
    await finishLogin(ctx, deps, taken, user, PASSWORD_AUTHENTICATION);
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

function uiLocaleOf(pending: PendingAuthorization): string | undefined {
  return pending.request ? pending.request.uiLocale : pending.page.uiLocale;
}

/** Shows the login form of `pending` (again): with a fresh CSRF token, and the passkey sign-in. */
export async function renderForm(
  ctx: Context,
  deps: LoginDeps,
  pending: PendingAuthorization,
  status: number,
  view: { chosen?: string | undefined; username?: string | undefined; error?: LoginError },
): Promise<void> {
  const nowMs = deps.now();
  const { request, page } = pending;
  const client = request ? deps.clients.find(request.clientId) : undefined;
  if (request && !client) return expired(ctx, view.chosen);
  // A fresh token for every form shown; the record keeps only the latest one's digest.
  const csrf = deps.csrf.issue(ctx, pending.id, pending.expiresAt - nowMs);
  if (!(await deps.pending.bindCsrf(pending, csrf.digest, nowMs))) {
    // Changed meanwhile (the same form open twice): bind to the current record instead.
    const current = await deps.pending.find(pending.id, nowMs);
    if (!current || !(await deps.pending.bindCsrf(current, csrf.digest, nowMs))) {
      return expired(ctx, view.chosen);
    }
  }
  const uiLocales = request ? request.uiLocale : page.uiLocale;
  const locale = requestLocale(ctx, { chosen: view.chosen, uiLocales });
  // The switcher shows this form again: GET /login of the same authorization.
  const frame = pageFrame(ctx, locale, `/login?authz=${encodeURIComponent(pending.id)}`);
  const passkey = deps.passkeyLogin ? await deps.passkeyLogin(pending.id, nowMs) : undefined;
  sendHtml(
    ctx,
    status,
    loginPage(frame, {
      authz: pending.id,
      csrfToken: csrf.token,
      ...(client
        ? { clientName: client.name }
        : {
            account: {
              reauth: page?.reauth === true,
              device: page?.returnTo.startsWith('/device') === true,
            },
          }),
      ...(view.username !== undefined && { username: view.username }),
      ...(view.error !== undefined && { error: view.error(frame.t) }),
      ...(passkey && { passkey }),
    }),
    // A page login ends on this host: form-action 'self' covers its redirect.
    {
      hasForm: true,
      formTargets: request ? [new URL(request.redirectUri).origin] : [],
      scripts: passkey !== undefined,
    },
  );
}

const expired = loginExpired;
