import { requestFacts } from '../audit/request-facts.js';
import type { Context, Middleware } from 'koa';
import type { ClientRegistry } from '../clients/client.js';
import { requestLocale } from '../i18n/language-cookie.js';
import type { Translator } from '../i18n/translate.js';
import { describeWait } from '../i18n/wait.js';
import { loginExpired } from '../login/login-expired.js';
import {
  completeSecondFactor,
  SECOND_FACTOR_PATH,
  verifySecondFactorStep,
  type SecondFactorDeps,
} from '../login/second-factor.js';
import type { SecondFactorStep } from '../login/second-factor-step.js';
import { readForm } from '../oauth/form-body.js';
import { sendHtml } from '../views/html.js';
import { pageFrame } from '../views/page-frame.js';
import { secondFactorPage } from './second-factor-view.js';
import type { SecondFactors } from './second-factors.js';

export interface SecondFactorPageDeps extends SecondFactorDeps {
  clients: ClientRegistry;
  factors: Pick<SecondFactors, 'check' | 'status'>;
  /** Filled by the passkeys wing; without it no passkey button is shown. */
  hasPasskeys?: (userId: string) => Promise<boolean>;
}

type PageError = (t: Translator) => string;

/** GET /login/second-factor?step=…: the code field (and the passkey button). */
export function showSecondFactorRoute(deps: SecondFactorPageDeps): Middleware {
  return async (ctx) => {
    const id = typeof ctx.query.step === 'string' ? ctx.query.step : '';
    const step = await deps.steps.find(id, deps.now());
    // Only the browser that proved the first factor holds the token: another gets "expired".
    const token = step ? deps.csrf.current(ctx, step.authz, step.csrfDigest) : undefined;
    if (!step || token === undefined) return loginExpired(ctx);
    await render(ctx, deps, step, token, 200);
  };
}

/**
 * POST /login/second-factor: the step's CSRF token, then the code through the per-account
 * throttle (mfa/second-factor-throttle.ts); a right code completes the login
 * (login/second-factor.ts), with `otp` added to the amr (a recovery code is a one-time
 * password too, RFC 8176 §2).
 */
export function submitSecondFactorRoute(deps: SecondFactorPageDeps): Middleware {
  return async (ctx) => {
    const form = await readForm(ctx, { maxBytes: 4 * 1024, maxValueLength: 256 });
    const chosen = form.single('lang');
    const step = await verifySecondFactorStep(
      ctx,
      deps,
      form.single('step') ?? '',
      form.single('csrf'),
    );
    if (!step) return loginExpired(ctx, chosen);
    const token = form.single('csrf')!;
    const code = (form.single('code') ?? '').trim();
    if (code === '') {
      return render(ctx, deps, step, token, 400, chosen, (t) => t.text('mfa.step.error.missing'));
    }
    const answer = await deps.factors.check(step.sub, code);
    const audited = (type: 'second_factor.succeeded' | 'second_factor.failed', reason?: string) =>
      deps.audit.record({
        type,
        actor: { kind: 'user', id: step.sub },
        subject: step.sub,
        request: requestFacts(ctx),
        detail: { factor: 'otp', ...(reason !== undefined && { result: reason }) },
      });
    if (answer.ok) {
      await audited('second_factor.succeeded', answer.method);
      await completeSecondFactor(ctx, deps, step, ['otp']);
      return;
    }
    await audited('second_factor.failed', answer.reason);
    if (answer.reason === 'throttled') {
      const wait = answer.retryAfterS;
      ctx.set('Retry-After', String(wait));
      return render(ctx, deps, step, token, 429, chosen, (t) =>
        t.text('mfa.step.error.tooMany', { wait: describeWait(t, wait) }),
      );
    }
    return render(ctx, deps, step, token, 401, chosen, (t) => t.text('mfa.step.error.wrong'));
  };
}

async function render(
  ctx: Context,
  deps: SecondFactorPageDeps,
  step: SecondFactorStep,
  csrfToken: string,
  status: number,
  chosen?: string,
  error?: PageError,
): Promise<void> {
  const pending = await deps.pending.find(step.authz, deps.now());
  if (!pending) return loginExpired(ctx, chosen);
  const client = pending.request ? deps.clients.find(pending.request.clientId) : undefined;
  const [status_, passkeys] = await Promise.all([
    deps.factors.status(step.sub),
    deps.hasPasskeys ? deps.hasPasskeys(step.sub) : Promise.resolve(false),
  ]);
  const locale = requestLocale(ctx, { chosen, uiLocales: step.locale });
  const frame = pageFrame(ctx, locale, `${SECOND_FACTOR_PATH}?step=${encodeURIComponent(step.id)}`);
  const html = secondFactorPage(frame, {
    step: step.id,
    csrfToken,
    passkeys,
    codes: status_.totp || status_.recoveryCodesLeft > 0 || !passkeys,
    ...(step.stepUpSid !== undefined && client && { stepUpClient: client.name }),
    ...(error && { error: error(frame.t) }),
  });
  const formTargets = pending.request ? [new URL(pending.request.redirectUri).origin] : [];
  sendHtml(ctx, status, html, { hasForm: true, formTargets });
}
