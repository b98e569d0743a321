import type { Router } from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { AccountDeps } from '../account/account-deps.js';
import { readAccountForm, seeOther } from '../account/account-form.js';
import type { PageMiddleware } from '../account/account-routes.js';
import { pageCsrfToken } from '../account/page-csrf.js';
import { signedIn, type SignedIn } from '../account/signed-in.js';
import type { PlainMessageKey } from '../i18n/catalogue.js';
import { requestLocale } from '../i18n/language-cookie.js';
import type { Translator } from '../i18n/translate.js';
import { requireRecentLogin } from '../login/page-login.js';
import type { Logger } from '../logger.js';
import type { PasskeyNotifier } from '../mail/passkey-notice.js';
import { isRecentLogin } from '../sessions/recent-login.js';
import type { User } from '../users/user.js';
import { sendHtml } from '../views/html.js';
import { pageFrame } from '../views/page-frame.js';
import { PasskeyError } from './passkey-errors.js';
import { PASSKEYS_PATH, passkeysPage } from './passkey-account-view.js';
import { MAX_PASSKEY_NAME_LENGTH } from './passkey-repository.js';
import type { PasskeyService } from './passkey-service.js';
import { MAX_RESPONSE_CHARS } from './passkey-response.js';

export interface PasskeyAccountDeps extends AccountDeps {
  passkeys: PasskeyService;
  notifier: PasskeyNotifier;
  logger: Logger;
  /**
   * Whether the user may lose this passkey: false when it is their last second factor and
   * their role requires one (the MFA policy's rule). Default: always allowed.
   */
  mayRemovePasskey?: (user: User, remainingPasskeys: number) => Promise<boolean>;
}

/** `?done=` words of this page; the page shows no text taken from the URL. */
const NOTICES = {
  'passkey-added': 'account.done.passkeyAdded',
  'passkey-renamed': 'account.done.passkeyRenamed',
  'passkey-removed': 'account.done.passkeyRemoved',
} as const satisfies Record<string, PlainMessageKey>;

/**
 * The enrolment form carries the registration response (a few hundred bytes with attestation
 * `none`; MAX_RESPONSE_CHARS at most): the body is capped just above it, so an oversized
 * clientDataJSON is refused (413) before anything parses it.
 */
const ENROL_FORM_LIMITS = {
  maxBytes: MAX_RESPONSE_CHARS + 4 * 1024,
  maxValueLength: MAX_RESPONSE_CHARS,
};

type Failure = (t: Translator) => string;
const text =
  (key: PlainMessageKey): Failure =>
  (t) =>
    t.text(key);

/**
 * The passkey pages under /account: GET /account/passkeys (the list, and the enrolment when
 * the login is recent), POST /account/passkeys (enrol), POST …/rename, POST …/remove. Adding
 * and removing need a login of the last 10 minutes (sessions/recent-login.ts) and mail the
 * owner; renaming needs neither. Every form carries the session's CSRF token.
 */
export function mountPasskeyAccountRoutes(
  router: Router,
  deps: PasskeyAccountDeps,
  page: PageMiddleware,
): void {
  const { language, htmlErrors } = page;
  router.get(PASSKEYS_PATH, language, htmlErrors, showPasskeysRoute(deps));
  router.post(PASSKEYS_PATH, language, htmlErrors, enrolPasskeyRoute(deps));
  router.post(`${PASSKEYS_PATH}/rename`, language, htmlErrors, renamePasskeyRoute(deps));
  router.post(`${PASSKEYS_PATH}/remove`, language, htmlErrors, removePasskeyRoute(deps));
}

function showPasskeysRoute(deps: PasskeyAccountDeps): Middleware {
  return async (ctx) => {
    const state = await signedIn(ctx, deps, PASSKEYS_PATH);
    if (!state) return;
    // "Add a passkey" on a session whose login is old: confirm it is you, then come back.
    if (ctx.query.add !== undefined) {
      const back = { returnTo: PASSKEYS_PATH, locale: state.locale };
      if (!(await requireRecentLogin(ctx, deps, state.session, back))) return;
    }
    const done = ctx.query.done;
    const notice =
      typeof done === 'string' && Object.hasOwn(NOTICES, done)
        ? NOTICES[done as keyof typeof NOTICES]
        : undefined;
    await render(ctx, deps, state, 200, { notice });
  };
}

function enrolPasskeyRoute(deps: PasskeyAccountDeps): Middleware {
  return async (ctx) => {
    const state = await signedIn(ctx, deps, PASSKEYS_PATH);
    if (!state) return;
    const form = await readAccountForm(ctx, deps, state.session, ENROL_FORM_LIMITS);
    if (!form) return;
    const shown = { ...state, locale: requestLocale(ctx, { chosen: form.single('lang') }) };
    const back = { returnTo: PASSKEYS_PATH, locale: shown.locale };
    if (!(await requireRecentLogin(ctx, deps, state.session, back))) return;
    const name = passkeyName(form.single('name'));
    if (name === null) {
      return render(ctx, deps, shown, 400, {
        error: (t) => t.text('account.passkeys.error.name', { max: MAX_PASSKEY_NAME_LENGTH }),
      });
    }
    try {
      const input = { handle: form.single('challenge'), response: form.single('credential'), name };
      await deps.passkeys.finishEnrolment(state.user, state.session.sid, input, deps.now());
    } catch (error) {
      if (!(error instanceof PasskeyError)) throw error;
      deps.logger.info('passkey.enrolment_refused', { user: state.user.id, code: error.code });
      const key =
        error.code === 'ERR_PASSKEY_DUPLICATE'
          ? 'account.passkeys.error.duplicate'
          : 'account.passkeys.error.refused';
      return render(ctx, deps, shown, 400, { error: text(key), newName: name });
    }
    deps.notifier.passkeyChanged(state.user, 'added', name, shown.locale);
    seeOther(ctx, `${PASSKEYS_PATH}?done=passkey-added`);
  };
}

function renamePasskeyRoute(deps: PasskeyAccountDeps): Middleware {
  return async (ctx) => {
    const state = await signedIn(ctx, deps, PASSKEYS_PATH);
    if (!state) return;
    const form = await readAccountForm(ctx, deps, state.session);
    if (!form) return;
    const shown = { ...state, locale: requestLocale(ctx, { chosen: form.single('lang') }) };
    const name = passkeyName(form.single('name'));
    if (name === null) {
      return render(ctx, deps, shown, 400, {
        error: (t) => t.text('account.passkeys.error.name', { max: MAX_PASSKEY_NAME_LENGTH }),
      });
    }
    const id = form.single('credential_id') ?? '';
    if (!(await deps.passkeys.repository.rename(state.user.id, id, name))) {
      return render(ctx, deps, shown, 404, { error: text('account.passkeys.error.notFound') });
    }
    seeOther(ctx, `${PASSKEYS_PATH}?done=passkey-renamed`);
  };
}

function removePasskeyRoute(deps: PasskeyAccountDeps): Middleware {
  return async (ctx) => {
    const state = await signedIn(ctx, deps, PASSKEYS_PATH);
    if (!state) return;
    const form = await readAccountForm(ctx, deps, state.session);
    if (!form) return;
    const shown = { ...state, locale: requestLocale(ctx, { chosen: form.single('lang') }) };
    const back = { returnTo: PASSKEYS_PATH, locale: shown.locale };
    if (!(await requireRecentLogin(ctx, deps, state.session, back))) return;
    const { repository } = deps.passkeys;
    const id = form.single('credential_id') ?? '';
    const passkeys = await repository.listOfUser(state.user.id);
    const passkey = passkeys.find((each) => each.credentialId === id);
    if (!passkey) {
      return render(ctx, deps, shown, 404, { error: text('account.passkeys.error.notFound') });
    }
    const allowed = (await deps.mayRemovePasskey?.(state.user, passkeys.length - 1)) ?? true;
    if (!allowed) {
      return render(ctx, deps, shown, 409, { error: text('account.passkeys.error.lastFactor') });
    }
    if (!(await repository.remove(state.user.id, id))) {
      return render(ctx, deps, shown, 404, { error: text('account.passkeys.error.notFound') });
    }
    deps.notifier.passkeyChanged(state.user, 'removed', passkey.name, shown.locale);
    seeOther(ctx, `${PASSKEYS_PATH}?done=passkey-removed`);
  };
}

/** Trimmed, 1 to MAX_PASSKEY_NAME_LENGTH characters, no control characters; else null. */
export function passkeyName(raw: string | undefined): string | null {
  const name = (raw ?? '').normalize('NFC').trim();
  if (name === '' || [...name].length > MAX_PASSKEY_NAME_LENGTH) return null;
  return /[\u0000-\u001f\u007f-\u009f]/.test(name) ? null : name;
}

async function render(
  ctx: Context,
  deps: PasskeyAccountDeps,
  { session, user, locale }: SignedIn,
  status: number,
  view: { notice?: PlainMessageKey | undefined; error?: Failure; newName?: string },
): Promise<void> {
  const nowMs = deps.now();
  const frame = pageFrame(ctx, locale, PASSKEYS_PATH);
  const [csrfToken, passkeys] = await Promise.all([
    pageCsrfToken(ctx, deps, session),
    deps.passkeys.repository.listOfUser(user.id),
  ]);
  // A challenge only for a session that may enrol now: no store write for a page that
  // would send the person to re-authenticate first anyway.
  const enrolment = isRecentLogin(session, nowMs)
    ? await deps.passkeys.startEnrolment(user, session.sid, nowMs)
    : undefined;
  const html = passkeysPage(frame, {
    csrfToken,
    passkeys,
    enrolment,
    notice: view.notice,
    error: view.error?.(frame.t),
    newName: view.newName,
  });
  sendHtml(ctx, status, html, {
    hasForm: true,
    referrerPolicy: 'same-origin',
    scripts: enrolment !== undefined,
  });
}
