import type { Context, Middleware } from 'koa';
import type { AccountDeps } from '../account/account-deps.js';
import { readAccountForm } from '../account/account-form.js';
import { pageCsrfToken } from '../account/page-csrf.js';
import { signedIn } from '../account/signed-in.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import { requestFacts } from '../audit/request-facts.js';
import type { Rate } from '../config/rate.js';
import { addressBucket } from '../http/client-address.js';
import { requestLocale } from '../i18n/language-cookie.js';
import { describeWait } from '../i18n/wait.js';
import type { RateLimiter } from '../limits/rate-limit.js';
import { acrNeed } from '../oauth/authorize/check-acr.js';
import { sendMfaRequiredPage } from '../oauth/authorize/mfa-required-page.js';
import { acrSatisfies } from '../sessions/assurance.js';
import { sessionAcr, sessionAmr, type Session } from '../sessions/session.js';
import { digestToken } from '../tokens/opaque-token.js';
import { sendHtml } from '../views/html.js';
import { pageFrame } from '../views/page-frame.js';
import type { DeviceAuthorizations } from '../oauth/device/device-authorizations.js';
import { confirmDevicePage, deviceDonePage, userCodePage } from '../oauth/device/device-pages.js';
import { normaliseUserCode } from '../oauth/device/user-code.js';

export interface DevicePageDeps extends AccountDeps {
  devices: DeviceAuthorizations;
  limiter: RateLimiter;
  /** User codes tried (RFC 8628 §5.1): per address and per browser session; null: no limit. */
  guesses: { perAddress: Rate | null; perSession: Rate | null };
  audit: AuditTrail;
  /** MFA_REQUIRED_ROLES: their users approve devices only from a session with a second factor. */
  mfaRequiredRoles: readonly string[];
}

const PATH = '/device';
// What a typed code may look like to be carried through the login: letters and dashes only,
// so the return path never holds anything a browser could read as more than a query value.
const CARRIED_CODE = /^[A-Za-z-]{1,16}$/;

/**
 * GET /device (RFC 8628 §3.3): the person signs in first, then types the code. Asking for
 * the login first ties every guess to a browser session as well as an address, and the
 * confirmation can then name the account the device will act as. `?user_code=` (the
 * verification_uri_complete of §3.3.1) prefills the field; it is still submitted and then
 * confirmed, never approved by opening a link.
 */
export function showDeviceRoute(deps: DevicePageDeps): Middleware {
  return async (ctx) => {
    const query = ctx.query.user_code;
    const typed = typeof query === 'string' && CARRIED_CODE.test(query) ? query : undefined;
    const here = typed === undefined ? PATH : `${PATH}?user_code=${encodeURIComponent(typed)}`;
    const state = await signedIn(ctx, deps, here);
    if (!state) return;
    const csrfToken = await pageCsrfToken(ctx, deps, state.session);
    ctx.set('Cache-Control', 'no-store');
    const frame = pageFrame(ctx, state.locale, here);
    sendHtml(ctx, 200, userCodePage(frame, { csrfToken, ...(typed !== undefined && { typed }) }));
  };
}

/**
 * POST /device: a typed code (shows the confirmation) or a decision on one (`decision` =
 * allow or deny). Every submission counts as a guess before the code is looked up, so no
 * form of it probes codes for free; every code that cannot be used (malformed, unknown,
 * expired, already decided) gets the same answer.
 */
export function submitDeviceRoute(deps: DevicePageDeps): Middleware {
  return async (ctx) => {
    const state = await signedIn(ctx, deps, PATH);
    if (!state) return;
    const { session, user } = state;
    const form = await readAccountForm(ctx, deps, session);
    if (!form) return;
    const frame = pageFrame(ctx, requestLocale(ctx, { chosen: form.single('lang') }), PATH);
    const { t } = frame;
    const csrfToken = await pageCsrfToken(ctx, deps, session);
    ctx.set('Cache-Control', 'no-store');
    const typed = form.single('user_code');
    const again = (status: number, error: string) =>
      sendHtml(
        ctx,
        status,
        userCodePage(frame, { csrfToken, error, ...(typed !== undefined && { typed }) }),
      );

    const wait = await guessRefused(ctx, deps, session);
    if (wait !== null) {
      ctx.set('Retry-After', String(wait));
      return again(429, t.text('device.error.tooManyAttempts', { wait: describeWait(t, wait) }));
    }
    const code = normaliseUserCode(typed);
    const found = code === null ? null : await deps.devices.findPending(code);
    const client = found ? deps.clients.find(found.authorization.clientId) : undefined;
    if (!found || !client) return again(400, t.text('device.error.invalidCode'));

    // A client with require_mfa, or a user whose role needs a second factor, gets no device
    // approved by a session below that: as at /login, a weaker login is never passed off as
    // enough. (A login asks for the second factor whenever the user has one, so this is a
    // user without one, told how to set it up.)
    const need = acrNeed({}, client, user, deps.mfaRequiredRoles);
    if (!acrSatisfies(sessionAcr(session), need.minimum)) {
      return sendMfaRequiredPage(ctx, client.name, form.single('lang'));
    }

    const decision = form.single('decision');
    if (decision === undefined) {
      const page = confirmDevicePage(frame, {
        csrfToken,
        clientName: client.name,
        username: user.username,
        userCode: found.authorization.userCode,
        scope: found.authorization.scope,
      });
      return sendHtml(ctx, 200, page);
    }
    if (decision !== 'allow' && decision !== 'deny') {
      return again(400, t.text('device.error.invalidCode'));
    }
    const allowed = decision === 'allow';
    const decided = await deps.devices.decide(found, allowed ? approvalOf(session) : null);
    if (!decided) return again(400, t.text('device.error.invalidCode'));
    if (allowed) await deps.sessions.addClient(session, client.id);
    await deps.audit.record({
      type: allowed ? 'device.approved' : 'device.denied',
      actor: { kind: 'user', id: user.id },
      subject: user.id,
      client: client.id,
      session: session.sid,
      request: requestFacts(ctx),
    });
    sendHtml(ctx, 200, deviceDonePage(frame, allowed));
  };
}

/** The device's tokens belong to this browser session: its logout ends them. */
function approvalOf(session: Session) {
  return {
    sid: session.sid,
    sub: session.sub,
    authTime: session.authTime,
    amr: [...sessionAmr(session)],
    acr: sessionAcr(session),
  };
}

/** Seconds to wait when this guess is over a limit, else null (and the guess is counted). */
async function guessRefused(
  ctx: Context,
  deps: DevicePageDeps,
  session: Session,
): Promise<number | null> {
  const { perAddress, perSession } = deps.guesses;
  if (perAddress) {
    const verdict = await deps.limiter.consume(
      'device-code-address',
      addressBucket(ctx.ip),
      perAddress,
    );
    if (!verdict.allowed) return verdict.retryAfterSec;
  }
  if (perSession) {
    // Named by a digest: the sid is the session's credential, not a counter's name.
    const subject = digestToken(session.sid);
    const verdict = await deps.limiter.consume('device-code-session', subject, perSession);
    if (!verdict.allowed) return verdict.retryAfterSec;
  }
  return null;
}
