import type { Context, Middleware } from 'koa';
import type { AccountDeps } from '../account/account-deps.js';
import { readAccountForm } from '../account/account-form.js';
import { pageCsrfToken } from '../account/page-csrf.js';
import { refusedPage } from '../account/refused-view.js';
import type { FormCsrf } from '../account-links/form-csrf.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import { requestFacts } from '../audit/request-facts.js';
import type { Rate } from '../config/rate.js';
import { addressBucket } from '../http/client-address.js';
import { isForeignOrigin } from '../http/same-origin.js';
import { requestLocale } from '../i18n/language-cookie.js';
import { describeWait } from '../i18n/wait.js';
import type { RateLimiter } from '../limits/rate-limit.js';
import { askForLogin, browserSession } from '../login/page-login.js';
import { acrNeed } from '../oauth/authorize/check-acr.js';
import { sendMfaRequiredPage } from '../oauth/authorize/mfa-required-page.js';
import type {
  DeviceAuthorizations,
  FoundByUserCode,
} from '../oauth/device/device-authorizations.js';
import { confirmDevicePage, deviceDonePage, userCodePage } from '../oauth/device/device-pages.js';
import { normaliseUserCode } from '../oauth/device/user-code.js';
import { readForm, type FormParams } from '../oauth/form-body.js';
import { acrSatisfies } from '../sessions/assurance.js';
import { sessionAcr, sessionAmr, type Session } from '../sessions/session.js';
import { digestToken } from '../tokens/opaque-token.js';
import type { User } from '../users/user.js';
import { sendHtml, type PageFrame } from '../views/html.js';
import { pageFrame } from '../views/page-frame.js';

export interface DevicePageDeps extends AccountDeps {
  devices: DeviceAuthorizations;
  limiter: RateLimiter;
  /** User codes tried (RFC 8628 §5.1): per address and per browser session; null: no limit. */
  guesses: { perAddress: Rate | null; perSession: Rate | null };
  audit: AuditTrail;
  /** MFA_REQUIRED_ROLES: their users approve devices only from a session with a second factor. */
  mfaRequiredRoles: readonly string[];
  /** The code form's CSRF before anyone is signed in (a double-submit cookie). */
  formCsrf: FormCsrf;
  /**
   * Remembers a third-party client's scopes as allowed (consent/): the device confirmation is
   * a consent, so a later browser login with the same scopes is not asked again.
   */
  rememberConsent?: (userId: string, clientId: string, scope: readonly string[]) => Promise<void>;
}

const PATH = '/device';
// What a typed code may look like to be carried in a URL: letters and dashes only, so the
// return path never holds anything a browser could read as more than a query value.
const CARRIED_CODE = /^[A-Za-z-]{1,16}$/;
const FORM_LIMITS = { maxBytes: 8 * 1024, maxValueLength: 1024 };

interface SignedIn {
  session: Session;
  user: User;
}

/**
 * GET /device (RFC 8628 §3.3). Not signed in: the field `user_code` (prefilled from
 * verification_uri_complete, §3.3.1); the code is checked, then the login asked for, which
 * comes back here with the code. Signed in, with a code: the confirmation, naming the
 * application, the account and the scopes, with allow and deny; without one: the field.
 * Opening a link never approves anything: the person still presses Allow.
 */
export function showDeviceRoute(deps: DevicePageDeps): Middleware {
  return async (ctx) => {
    const query = ctx.query.user_code;
    const typed = typeof query === 'string' && CARRIED_CODE.test(query) ? query : undefined;
    const here = typed === undefined ? PATH : `${PATH}?user_code=${encodeURIComponent(typed)}`;
    const frame = pageFrame(ctx, requestLocale(ctx), here);
    ctx.set('Cache-Control', 'no-store');
    const state = await signedInNow(ctx, deps);
    if (!state) {
      const csrfToken = deps.formCsrf.issue(ctx);
      sendHtml(ctx, 200, userCodePage(frame, { csrfToken, ...(typed !== undefined && { typed }) }));
      return;
    }
    const csrfToken = await pageCsrfToken(ctx, deps, state.session);
    if (typed === undefined) {
      sendHtml(ctx, 200, userCodePage(frame, { csrfToken }));
      return;
    }
    const found = await lookUp(ctx, deps, frame, csrfToken, typed, state);
    if (found) showConfirmation(ctx, frame, csrfToken, found, state);
  };
}

/**
 * POST /device: a typed code, or (signed in) a decision on one (`decision` = allow or deny).
 * Every submission counts as a guess before the code is looked up, so no form of it probes
 * codes for free; every code that cannot be used (malformed, unknown, expired, already
 * decided) gets the same answer.
 */
export function submitDeviceRoute(deps: DevicePageDeps): Middleware {
  return async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const state = await signedInNow(ctx, deps);
    if (!state) return anonymousSubmit(ctx, deps);
    const { session, user } = state;
    const form = await readAccountForm(ctx, deps, session);
    if (!form) return;
    const frame = pageFrame(ctx, requestLocale(ctx, { chosen: form.single('lang') }), PATH);
    const csrfToken = await pageCsrfToken(ctx, deps, session);
    const typed = form.single('user_code');
    const found = await lookUp(ctx, deps, frame, csrfToken, typed, state);
    if (!found) return;
    const decision = form.single('decision');
    if (decision === undefined) return showConfirmation(ctx, frame, csrfToken, found, state);
    const again = () =>
      sendHtml(
        ctx,
        400,
        userCodePage(frame, {
          csrfToken,
          error: frame.t.text('device.error.invalidCode'),
          ...(typed !== undefined && { typed }),
        }),
      );
    if (decision !== 'allow' && decision !== 'deny') return again();
    const allowed = decision === 'allow';
    const decided = await deps.devices.decide(found.found, allowed ? approvalOf(session) : null);
    if (!decided) return again();
    if (allowed) await deps.sessions.addClient(session, found.client.id);
    if (allowed && found.client.firstParty === false && deps.rememberConsent) {
      await deps.rememberConsent(user.id, found.client.id, found.found.authorization.scope);
    }
    await deps.audit.record({
      type: allowed ? 'device.approved' : 'device.denied',
      actor: { kind: 'user', id: user.id },
      subject: user.id,
      client: found.client.id,
      session: session.sid,
      request: requestFacts(ctx),
    });
    sendHtml(ctx, 200, deviceDonePage(frame, allowed));
  };
}

/** Before the login: a good code sends the browser to sign in and come back with it. */
async function anonymousSubmit(ctx: Context, deps: DevicePageDeps): Promise<void> {
  const origin = new URL(deps.config.issuer).origin;
  let form: FormParams | null = null;
  if (!isForeignOrigin(ctx, origin)) form = await readForm(ctx, FORM_LIMITS);
  const locale = requestLocale(ctx, { chosen: form?.single('lang') });
  const frame = pageFrame(ctx, locale, PATH);
  const formToken = form?.single('csrf');
  if (!form || !deps.formCsrf.verify(ctx, formToken)) {
    sendHtml(ctx, 403, refusedPage(frame));
    return;
  }
  const found = await lookUp(ctx, deps, frame, formToken!, form.single('user_code'), null);
  if (!found) return;
  await askForLogin(ctx, deps, {
    returnTo: `${PATH}?user_code=${found.found.authorization.userCode}`,
    locale,
  });
}

/**
 * Counts the guess, then finds the code: the authorization and its client, or null after
 * answering the code page with the one error for every unusable code (or 429, or the page
 * saying the client needs a second factor this session lacks).
 */
async function lookUp(
  ctx: Context,
  deps: DevicePageDeps,
  frame: PageFrame,
  csrfToken: string,
  typed: string | undefined,
  state: SignedIn | null,
): Promise<{
  found: FoundByUserCode;
  client: { id: string; name: string; firstParty?: boolean };
} | null> {
  const { t } = frame;
  const again = (status: number, error: string) => {
    sendHtml(
      ctx,
      status,
      userCodePage(frame, { csrfToken, error, ...(typed !== undefined && { typed }) }),
    );
    return null;
  };
  // Named by digests: the sid and the form token are credentials, not counters' names.
  const browser = digestToken(state ? state.session.sid : `form:${csrfToken}`);
  const wait = await guessRefused(ctx, deps, browser);
  if (wait !== null) {
    ctx.set('Retry-After', String(wait));
    return again(429, t.text('device.error.tooManyAttempts', { wait: describeWait(t, wait) }));
  }
  const code = normaliseUserCode(typed);
  const found = code === null ? null : await deps.devices.findPending(code);
  const client = found ? deps.clients.find(found.authorization.clientId) : undefined;
  if (!found || !client) return again(400, t.text('device.error.invalidCode'));
  if (state) {
    // A client with require_mfa, or a user whose role needs a second factor, gets no device
    // approved by a session below that: as at /login, a weaker login is never passed off as
    // enough. (A login asks for the second factor whenever the user has one, so this is a
    // user without one, told how to set it up.)
    const need = acrNeed({}, client, state.user, deps.mfaRequiredRoles);
    if (!acrSatisfies(sessionAcr(state.session), need.minimum)) {
      sendMfaRequiredPage(ctx, client.name, frame.t.locale);
      return null;
    }
  }
  return { found, client };
}

function showConfirmation(
  ctx: Context,
  frame: PageFrame,
  csrfToken: string,
  { found, client }: { found: FoundByUserCode; client: { name: string } },
  state: SignedIn,
): void {
  const page = confirmDevicePage(frame, {
    csrfToken,
    clientName: client.name,
    username: state.user.username,
    userCode: found.authorization.userCode,
    scope: found.authorization.scope,
  });
  sendHtml(ctx, 200, page);
}

/** The browser's live session and its active user, or null (no redirect: see the routes). */
async function signedInNow(ctx: Context, deps: DevicePageDeps): Promise<SignedIn | null> {
  const session = await browserSession(ctx, deps);
  const user = session ? await deps.users.findById(session.sub) : null;
  return session && user?.state === 'active' ? { session, user } : null;
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
  browser: string,
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
    const verdict = await deps.limiter.consume('device-code-session', browser, perSession);
    if (!verdict.allowed) return verdict.retryAfterSec;
  }
  return null;
}
