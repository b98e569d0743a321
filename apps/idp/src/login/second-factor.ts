/**
 * The second step of a login: the seam between the password form and whatever proves the
 * second factor (TOTP and recovery codes in mfa/, passkeys in their own wing).
 *
 *   POST /login, right password, user has a second factor
 *     → startSecondFactor(): a SecondFactorStep (login/second-factor-step.ts) is stored, bound
 *       to the pending authorization and to this browser (a fresh CSRF token in the pending
 *       authorization's cookie, its digest in the step); 303 to SECOND_FACTOR_PATH?step=ID.
 *   GET /authorize, live session below the acr the client needs (a step-up)
 *     → startSecondFactor() with the session's amr and `stepUpSid`: no password asked again.
 *   The factor's own route (a form POST carrying `step` and `csrf`)
 *     → verifySecondFactorStep(ctx, deps, stepId, csrfToken): the step, or null (expired,
 *       used, or another browser's); then checks the factor for `step.sub`;
 *     → completeSecondFactor(ctx, deps, step, amrAdded): takes the step and the pending
 *       authorization (single use), combines the amr (adding `mfa` for two kinds of factor),
 *       and ends as every login ends (finishLogin: session, cookie, code or page, 303).
 *
 * The passkeys wing calls the last two from its own route with `amrAdded` `['hwk']` (or
 * `['swk']`), and fills `hasPasskeys` in LoginDeps so that the step is asked for.
 */
import type { Context } from 'koa';
import type { PendingAuthorization } from '../oauth/authorize/pending-authorization.js';
import type { PendingAuthorizations } from '../oauth/authorize/pending-authorization.js';
import { combineAmr } from '../sessions/assurance.js';
import type { UserRepository } from '../users/user.js';
import { finishLogin, type FinishLoginDeps } from './finish-login.js';
import { loginExpired } from './login-expired.js';
import type { SecondFactorStep, SecondFactorSteps } from './second-factor-step.js';

/** The page that asks for the second factor. */
export const SECOND_FACTOR_PATH = '/login/second-factor';

export interface SecondFactorDeps extends FinishLoginDeps {
  pending: PendingAuthorizations;
  steps: SecondFactorSteps;
  users: Pick<UserRepository, 'findById'>;
}

/**
 * Stores a step for `user`, who proved `amr` so far, and sends the browser to the page that
 * asks for the second factor. The pending authorization stays in the store until the step
 * completes: it is taken only then, so a second factor given twice completes once.
 */
export async function startSecondFactor(
  ctx: Context,
  deps: SecondFactorDeps,
  pending: PendingAuthorization,
  user: { id: string; username: string },
  proven: { amr: readonly string[]; stepUpSid?: string; locale?: string },
): Promise<SecondFactorStep> {
  const nowMs = deps.now();
  // A new token: the password form shown before it no longer submits (its digest is gone).
  const csrf = deps.csrf.issue(ctx, pending.id, pending.expiresAt - nowMs);
  const step = await deps.steps.create(
    {
      authz: pending.id,
      sub: user.id,
      username: user.username,
      amr: [...proven.amr],
      csrfDigest: csrf.digest,
      ...(proven.stepUpSid !== undefined && { stepUpSid: proven.stepUpSid }),
      ...(proven.locale !== undefined && { locale: proven.locale }),
    },
    nowMs,
    pending.expiresAt,
  );
  ctx.set('Cache-Control', 'no-store');
  ctx.redirect(`${SECOND_FACTOR_PATH}?step=${encodeURIComponent(step.id)}`);
  // 303: the page is a GET whatever asked for it.
  ctx.status = 303;
  return step;
}

/**
 * The live step named by `stepId`, when this browser holds its CSRF cookie and `csrfToken`
 * (from the form) matches both: a step can be completed only in the browser that proved the
 * first factor. Null otherwise; the caller answers with `loginExpired` or its own error.
 */
export async function verifySecondFactorStep(
  ctx: Context,
  deps: Pick<SecondFactorDeps, 'steps' | 'csrf' | 'now'>,
  stepId: string,
  csrfToken: string | undefined,
): Promise<SecondFactorStep | null> {
  const step = await deps.steps.find(stepId, deps.now());
  if (!step) return null;
  return deps.csrf.verify(ctx, step.authz, csrfToken, step.csrfDigest) ? step : null;
}

/**
 * Ends a login whose second factor (`amrAdded`, RFC 8176 values) the caller has just checked
 * for `step.sub`. Single use: takes the step, then the pending authorization; of two
 * concurrent completions one wins and the other gets the "expired" page. The user must
 * still be active; a step-up must still find its session in this browser (signed out or
 * replaced meanwhile: the step proves nothing about a new session). True when the login
 * completed (303 to the app or the page); false when the "expired" page was sent.
 */
export async function completeSecondFactor(
  ctx: Context,
  deps: SecondFactorDeps,
  state: SecondFactorStep,
  amrAdded: readonly string[],
): Promise<boolean> {
  const nowMs = deps.now();
  const step = await deps.steps.take(state.id, nowMs);
  if (!step) {
    loginExpired(ctx, state.locale);
    return false;
  }
  const taken = await deps.pending.take(step.authz, nowMs);
  const user = taken ? await deps.users.findById(step.sub) : null;
  const stillHere = step.stepUpSid === undefined || (await holdsSession(ctx, deps, step, nowMs));
  if (!taken || user?.state !== 'active' || !stillHere) {
    loginExpired(ctx, step.locale);
    return false;
  }
  await finishLogin(ctx, deps, taken, user, { amr: combineAmr(step.amr, amrAdded) });
  return true;
}

async function holdsSession(
  ctx: Context,
  deps: SecondFactorDeps,
  step: SecondFactorStep,
  nowMs: number,
): Promise<boolean> {
  const sid = deps.cookie.read(ctx);
  if (sid === undefined || sid !== step.stepUpSid) return false;
  const session = await deps.sessions.find(sid, nowMs);
  return session?.sub === step.sub;
}
