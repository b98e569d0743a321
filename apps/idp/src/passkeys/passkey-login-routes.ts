import type { Router } from '@koa/router';
import type { Context, Middleware } from 'koa';
import { requestFacts } from '../audit/request-facts.js';
import { requestLocale } from '../i18n/language-cookie.js';
import type { Logger } from '../logger.js';
import { finishLogin } from '../login/finish-login.js';
import { loginExpired } from '../login/login-expired.js';
import { renderForm, type LoginDeps } from '../login/login-routes.js';
import {
  completeSecondFactor,
  startSecondFactor,
  verifySecondFactorStep,
} from '../login/second-factor.js';
import { acrNeed, decideAcr } from '../oauth/authorize/check-acr.js';
import { sendMfaRequiredPage } from '../oauth/authorize/mfa-required-page.js';
import { acrForAmr } from '../sessions/assurance.js';
import type { SecondFactorStep } from '../login/second-factor-step.js';
import { readForm } from '../oauth/form-body.js';
import { sendHtml } from '../views/html.js';
import { pageFrame } from '../views/page-frame.js';
import { recordPasskeyFailure } from './passkey-audit.js';
import { PasskeyError } from './passkey-errors.js';
import { PASSKEY_SECOND_FACTOR_PATH, passkeySecondFactorPage } from './passkey-login-view.js';
import { MAX_RESPONSE_CHARS } from './passkey-response.js';
import type { PasskeyService } from './passkey-service.js';

export interface PasskeyLoginDeps extends LoginDeps {
  passkeys: PasskeyService;
  logger: Logger;
}

/**
 * The form carries one assertion (a few hundred bytes; MAX_RESPONSE_CHARS at most) and a few
 * short fields: the body is capped just above, so an oversized clientDataJSON is refused
 * (413, a readable page) before anything parses it.
 */
const ASSERTION_FORM_LIMITS = {
  maxBytes: MAX_RESPONSE_CHARS + 4 * 1024,
  maxValueLength: MAX_RESPONSE_CHARS,
};

/**
 * The login's passkey doors: POST /login/passkey (passwordless and usernameless, from the
 * login form), GET and POST /login/second-factor/passkey (after the password).
 */
export function mountPasskeyLoginRoutes(
  router: Router,
  deps: PasskeyLoginDeps,
  middleware: readonly Middleware[],
): void {
  router.post('/login/passkey', ...middleware, passkeyLoginRoute(deps));
  router.get(PASSKEY_SECOND_FACTOR_PATH, ...middleware, showSecondFactorRoute(deps));
  router.post(PASSKEY_SECOND_FACTOR_PATH, ...middleware, submitSecondFactorRoute(deps));
}

/**
 * POST /login/passkey: the assertion for the challenge the login form was shown with. The
 * form's CSRF token binds it to this browser and this pending login; the credential names
 * its account (its user handle must be that account's). Then the login ends as every login
 * does (login/finish-login.ts), with the passkey's amr (passkey-amr.ts).
 */
function passkeyLoginRoute(deps: PasskeyLoginDeps): Middleware {
  return async (ctx) => {
    const form = await readForm(ctx, ASSERTION_FORM_LIMITS);
    const nowMs = deps.now();
    const chosen = form.single('lang');
    const pending = await deps.pending.find(form.single('authz') ?? '', nowMs);
    if (!pending) return loginExpired(ctx, chosen);
    if (!deps.csrf.verify(ctx, pending.id, form.single('csrf'), pending.csrfDigest)) {
      return renderForm(ctx, deps, pending, 403, {
        chosen,
        error: (t) => t.text('login.error.formExpired'),
      });
    }
    const refuse = () =>
      renderForm(ctx, deps, pending, 400, {
        chosen,
        error: (t) => t.text('login.passkey.refused'),
      });
    let signIn;
    try {
      signIn = await deps.passkeys.finishSignIn(
        { purpose: 'login', authz: pending.id },
        { handle: form.single('challenge'), response: form.single('credential') },
        nowMs,
      );
    } catch (error) {
      if (!(error instanceof PasskeyError)) throw error;
      deps.logger.info('passkey.login_refused', { code: error.code });
      await recordPasskeyFailure(ctx, deps.audit, error, {
        step: 'login',
        client: pending.request?.clientId,
      });
      return refuse();
    }
    // A disabled or unconfirmed account answers as any refused passkey: nothing to tell apart.
    const user = await deps.users.findById(signIn.passkey.userId);
    if (user?.state !== 'active') return refuse();
    // A passkey without user verification is one factor: a client (or the user's role) that
    // needs two gets the TOTP asked for next, or no code (never a weaker acr than required).
    if (pending.request) {
      const client = deps.clients.find(pending.request.clientId);
      const need = acrNeed(pending.request, client, user, deps.config.mfaRequiredRoles);
      const hasTotp = deps.hasTotp ? await deps.hasTotp(user.id) : false;
      const decision = decideAcr(acrForAmr(signIn.amr), need, hasTotp);
      if (decision === 'step-up') {
        const locale = requestLocale(ctx, { chosen, uiLocales: pending.request.uiLocale });
        await startSecondFactor(ctx, deps, pending, user, { amr: signIn.amr, locale });
        return;
      }
      if (decision === 'cannot') {
        deps.csrf.clear(ctx, pending.id);
        return sendMfaRequiredPage(ctx, client?.name ?? pending.request.clientId, chosen);
      }
    }
    const taken = await deps.pending.take(pending.id, nowMs);
    if (!taken) return loginExpired(ctx, chosen);
    await finishLogin(ctx, deps, taken, user, { amr: signIn.amr });
  };
}

/** GET /login/second-factor/passkey?step=…: the user's passkeys asked for after the password. */
function showSecondFactorRoute(deps: PasskeyLoginDeps): Middleware {
  return async (ctx) => {
    const stepId = typeof ctx.query.step === 'string' ? ctx.query.step : '';
    const step = await deps.steps.find(stepId, deps.now());
    // The CSRF token this browser holds for the step: without it, not this browser's step.
    const csrfToken = step ? deps.csrf.current(ctx, step.authz, step.csrfDigest) : undefined;
    if (!step || csrfToken === undefined) return loginExpired(ctx);
    await renderSecondFactor(ctx, deps, step, csrfToken, 200);
  };
}

/**
 * POST /login/second-factor/passkey: the assertion, by one of the step's user's passkeys and
 * for the challenge made for this step; then completeSecondFactor (login/second-factor.ts)
 * ends the login with the passkey added to the password's amr.
 */
function submitSecondFactorRoute(deps: PasskeyLoginDeps): Middleware {
  return async (ctx) => {
    const form = await readForm(ctx, ASSERTION_FORM_LIMITS);
    const chosen = form.single('lang');
    const csrfToken = form.single('csrf');
    const step = await verifySecondFactorStep(ctx, deps, form.single('step') ?? '', csrfToken);
    if (!step || csrfToken === undefined) return loginExpired(ctx, chosen);
    let signIn;
    try {
      signIn = await deps.passkeys.finishSignIn(
        { purpose: 'second-factor', sub: step.sub, authz: step.authz },
        { handle: form.single('challenge'), response: form.single('credential') },
        deps.now(),
      );
    } catch (error) {
      if (!(error instanceof PasskeyError)) throw error;
      deps.logger.info('passkey.second_factor_refused', { user: step.sub, code: error.code });
      await recordPasskeyFailure(ctx, deps.audit, error, { step: 'second-factor', sub: step.sub });
      return renderSecondFactor(ctx, deps, step, csrfToken, 400, chosen, true);
    }
    await deps.audit.record({
      type: 'second_factor.succeeded',
      actor: { kind: 'user', id: step.sub },
      subject: step.sub,
      request: requestFacts(ctx),
      detail: { factor: 'passkey' },
    });
    // The password is the step's `pwd`; combineAmr adds `mfa` for the second kind of factor.
    await completeSecondFactor(
      ctx,
      deps,
      step,
      signIn.amr.filter((value) => value !== 'mfa'),
    );
  };
}

async function renderSecondFactor(
  ctx: Context,
  deps: PasskeyLoginDeps,
  step: SecondFactorStep,
  csrfToken: string,
  status: number,
  chosen?: string,
  refused = false,
): Promise<void> {
  const nowMs = deps.now();
  const locale = requestLocale(ctx, { chosen, uiLocales: step.locale });
  const frame = pageFrame(
    ctx,
    locale,
    `${PASSKEY_SECOND_FACTOR_PATH}?step=${encodeURIComponent(step.id)}`,
  );
  const ceremony = await deps.passkeys.startSignIn(
    { purpose: 'second-factor', sub: step.sub, authz: step.authz },
    nowMs,
  );
  const html = passkeySecondFactorPage(frame, {
    step: step.id,
    csrfToken,
    username: step.username,
    ceremony,
    error: refused ? frame.t.text('login.passkey.refused') : undefined,
  });
  const pending = await deps.pending.find(step.authz, nowMs);
  const formTargets = pending?.request ? [new URL(pending.request.redirectUri).origin] : [];
  sendHtml(ctx, status, html, { hasForm: true, formTargets, scripts: true });
}
