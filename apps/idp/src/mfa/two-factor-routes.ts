import type { Context, Middleware } from 'koa';
import QRCode from 'qrcode';
import type { AccountDeps } from '../account/account-deps.js';
import { readAccountForm, seeOther } from '../account/account-form.js';
import { pageCsrfToken } from '../account/page-csrf.js';
import { signedIn, type SignedIn } from '../account/signed-in.js';
import type { PlainMessageKey } from '../i18n/catalogue.js';
import { requestLocale } from '../i18n/language-cookie.js';
import { describeWait } from '../i18n/wait.js';
import { requireRecentLogin } from '../login/page-login.js';
import { sendHtml } from '../views/html.js';
import { pageFrame } from '../views/page-frame.js';
import type { SecondFactorNotice } from './second-factor-notice.js';
import type { SecondFactors } from './second-factors.js';
import { enrolTotpPage, recoveryCodesPage, twoFactorPage } from './two-factor-view.js';

const OVERVIEW = '/account/two-factor';
const ENROL = '/account/two-factor/totp';

export interface TwoFactorDeps extends AccountDeps {
  factors: SecondFactors;
  notice: SecondFactorNotice;
  /** MFA_REQUIRED_ROLES: their users may not remove their last second factor. */
  mfaRequiredRoles: readonly string[];
  /** Filled by the passkeys wing: a passkey is a second factor too. */
  hasPasskeys?: (userId: string) => Promise<boolean>;
}

/** What the last action did (`?done=…`): only these words, never text from the URL. */
const NOTICES = {
  'totp-removed': 'mfa.done.totpRemoved',
} as const satisfies Record<string, PlainMessageKey>;

/** GET /account/two-factor: the user's second factors and what can be done with them. */
export function showTwoFactorRoute(deps: TwoFactorDeps): Middleware {
  return async (ctx) => {
    const state = await signedIn(ctx, deps, OVERVIEW);
    if (!state) return;
    const done = ctx.query.done;
    const notice =
      typeof done === 'string' && Object.hasOwn(NOTICES, done)
        ? NOTICES[done as keyof typeof NOTICES]
        : undefined;
    await renderOverview(ctx, deps, state, 200, { notice });
  };
}

/**
 * GET /account/two-factor/totp: a new secret (or the one waiting for its first code), after a
 * recent login (sessions/recent-login.ts): a stolen session alone must not be able to bind
 * the attacker's phone to the account.
 */
export function showEnrolTotpRoute(deps: TwoFactorDeps): Middleware {
  return async (ctx) => {
    const state = await signedIn(ctx, deps, ENROL);
    if (!state) return;
    if (!(await requireRecentLogin(ctx, deps, state.session, back(ENROL, state)))) return;
    await renderEnrol(ctx, deps, state, 200);
  };
}

/**
 * POST /account/two-factor/totp: the first code confirms the enrolment (until then it counts
 * for nothing); the answer shows the ten recovery codes, once.
 */
export function confirmTotpRoute(deps: TwoFactorDeps): Middleware {
  return async (ctx) => {
    const state = await signedIn(ctx, deps, ENROL);
    if (!state) return;
    const form = await readAccountForm(ctx, deps, state.session);
    if (!form) return;
    const shown = { ...state, locale: requestLocale(ctx, { chosen: form.single('lang') }) };
    if (!(await requireRecentLogin(ctx, deps, state.session, back(ENROL, shown)))) return;
    const result = await deps.factors.confirmTotp(state.user.id, form.single('code') ?? '');
    if (!result.ok) {
      if (result.reason === 'throttled') {
        const wait = result.retryAfterS;
        ctx.set('Retry-After', String(wait));
        return renderEnrol(ctx, deps, shown, 429, (t) =>
          t.text('mfa.step.error.tooMany', { wait: describeWait(t, wait) }),
        );
      }
      return renderEnrol(ctx, deps, shown, 400, (t) => t.text('mfa.enrol.error.wrong'));
    }
    deps.notice(state.user, 'totp_added', shown.locale);
    const frame = pageFrame(ctx, shown.locale, OVERVIEW);
    sendHtml(
      ctx,
      200,
      recoveryCodesPage(frame, { codes: result.recoveryCodes, notice: 'mfa.done.totpAdded' }),
      { referrerPolicy: 'same-origin' },
    );
  };
}

/** POST /account/two-factor/recovery-codes: ten new codes; the old ones stop working. */
export function regenerateRecoveryCodesRoute(deps: TwoFactorDeps): Middleware {
  return async (ctx) => {
    const state = await signedIn(ctx, deps, OVERVIEW);
    if (!state) return;
    const form = await readAccountForm(ctx, deps, state.session);
    if (!form) return;
    const shown = { ...state, locale: requestLocale(ctx, { chosen: form.single('lang') }) };
    if (!(await requireRecentLogin(ctx, deps, state.session, back(OVERVIEW, shown)))) return;
    if (!(await deps.factors.hasTotp(state.user.id))) return seeOther(ctx, OVERVIEW);
    const codes = await deps.factors.regenerateRecoveryCodes(state.user.id);
    deps.notice(state.user, 'recovery_regenerated', shown.locale);
    const frame = pageFrame(ctx, shown.locale, OVERVIEW);
    sendHtml(ctx, 200, recoveryCodesPage(frame, { codes }), { referrerPolicy: 'same-origin' });
  };
}

/**
 * POST /account/two-factor/totp/remove: after a recent login; refused (409, said plainly)
 * when the user's role requires a second factor and this is their last one.
 */
export function removeTotpRoute(deps: TwoFactorDeps): Middleware {
  return async (ctx) => {
    const state = await signedIn(ctx, deps, OVERVIEW);
    if (!state) return;
    const form = await readAccountForm(ctx, deps, state.session);
    if (!form) return;
    const shown = { ...state, locale: requestLocale(ctx, { chosen: form.single('lang') }) };
    if (!(await requireRecentLogin(ctx, deps, state.session, back(OVERVIEW, shown)))) return;
    const required = state.user.roles.some((role) => deps.mfaRequiredRoles.includes(role));
    const otherFactor = deps.hasPasskeys ? await deps.hasPasskeys(state.user.id) : false;
    if (required && !otherFactor) {
      return renderOverview(ctx, deps, shown, 409, {
        error: pageFrame(ctx, shown.locale).t.text('mfa.account.removeRefused'),
      });
    }
    if (await deps.factors.removeTotp(state.user.id)) {
      deps.notice(state.user, 'totp_removed', shown.locale);
    }
    seeOther(ctx, `${OVERVIEW}?done=totp-removed`);
  };
}

const back = (returnTo: string, state: SignedIn) => ({ returnTo, locale: state.locale });

async function renderOverview(
  ctx: Context,
  deps: TwoFactorDeps,
  state: SignedIn,
  status: number,
  extra: { notice?: PlainMessageKey | undefined; error?: string },
): Promise<void> {
  const status_ = await deps.factors.status(state.user.id);
  const frame = pageFrame(ctx, state.locale, OVERVIEW);
  const html = twoFactorPage(frame, {
    csrfToken: await pageCsrfToken(ctx, deps, state.session),
    ...status_,
    ...extra,
  });
  sendHtml(ctx, status, html, { hasForm: true, referrerPolicy: 'same-origin' });
}

async function renderEnrol(
  ctx: Context,
  deps: TwoFactorDeps,
  state: SignedIn,
  status: number,
  error?: (t: ReturnType<typeof pageFrame>['t']) => string,
): Promise<void> {
  const begun = await deps.factors.beginTotp(state.user);
  // Already set up: the overview says so and offers to turn it off first.
  if (!begun) return seeOther(ctx, OVERVIEW);
  const frame = pageFrame(ctx, state.locale, ENROL);
  const qrSvg = await QRCode.toString(begun.uri, { type: 'svg', margin: 2 });
  const html = enrolTotpPage(frame, {
    csrfToken: await pageCsrfToken(ctx, deps, state.session),
    secret: begun.secret,
    qrSvg,
    ...(error && { error: error(frame.t) }),
  });
  sendHtml(ctx, status, html, { hasForm: true, referrerPolicy: 'same-origin' });
}
