import { escapeHtml, htmlMessage, page, type PageFrame } from './html.js';

/** The IdP's passkey script (passkeys/browser-script.ts serves it). */
const PASSKEY_SCRIPT_PATH = '/assets/passkeys.js';

export interface LoginPageModel {
  /** The pending authorization this form completes. */
  authz: string;
  csrfToken: string;
  /** The application the login is for; absent for a login the IdP's own pages asked for. */
  clientName?: string;
  /**
   * A login for the IdP's own account page; `reauth` when a sensitive action asked for the
   * password again (the username is then the session's, shown read-only).
   */
  account?: { reauth: boolean; device?: boolean };
  /** Prefilled username (after a failed attempt, or OIDC `login_hint`). */
  username?: string;
  /**
   * Already translated; shown in the alert region, which screen readers announce when the
   * page loads.
   */
  error?: string;
  /**
   * The passwordless sign-in (passkeys/): the challenge's handle and the WebAuthn options.
   * Its form stays hidden until the script shows it (it needs JavaScript).
   */
  passkey?: { handle: string; optionsJson: string };
}

/**
 * The login form. Plain HTML that works without JavaScript: real labels, the autocomplete
 * tokens password managers rely on, and the error tied to the fields with aria-describedby.
 * The form carries the language it is shown in (`lang`), so that the page answering its
 * submission speaks the same language whatever `ui_locales` or the cookie say.
 */
export function loginPage(frame: PageFrame, model: LoginPageModel): string {
  const { t } = frame;
  const invalid = model.error ? ' aria-invalid="true" aria-describedby="login-error"' : '';
  const reauth = model.account?.reauth === true;
  const client = `<strong>${escapeHtml(model.clientName ?? '')}</strong>`;
  const heading = reauth ? t.text('account.reauth.heading') : t.text('login.heading');
  const subtitle =
    model.clientName !== undefined
      ? htmlMessage(t, 'login.continueTo', { client })
      : escapeHtml(
          t.text(
            reauth
              ? 'account.reauth.lead'
              : model.account?.device
                ? 'device.login.continue'
                : 'account.login.continue',
          ),
        );
  const fixedName = reauth && model.username ? ' readonly' : '';
  // `webauthn`: the browser offers the user's passkeys in the field's suggestions
  // (conditional mediation), the sign-in without typing a username.
  const autocomplete = model.passkey ? 'username webauthn' : 'username';
  return page(
    frame,
    t.text('login.title'),
    `<h1>${escapeHtml(heading)} <small>${subtitle}</small></h1>
<div id="login-error" class="alert" role="alert" aria-live="assertive">${model.error ? escapeHtml(model.error) : ''}</div>
<form method="post" action="/login" novalidate>
<input type="hidden" name="authz" value="${escapeHtml(model.authz)}">
<input type="hidden" name="csrf" value="${escapeHtml(model.csrfToken)}">
<input type="hidden" name="lang" value="${escapeHtml(t.locale)}">
<label for="username">${escapeHtml(t.text('login.username'))}</label>
<input type="text" id="username" name="username" value="${escapeHtml(model.username ?? '')}" autocomplete="${autocomplete}" autocapitalize="none" spellcheck="false" maxlength="200" required${fixedName}${invalid}${model.username ? '' : ' autofocus'}>
<label for="password">${escapeHtml(t.text('login.password'))}</label>
<input type="password" id="password" name="password" autocomplete="current-password" maxlength="1024" required${invalid}${model.username ? ' autofocus' : ''}>
<button type="submit">${escapeHtml(t.text('login.submit'))}</button>
</form>
${model.passkey ? passkeyForm(frame, model, model.passkey) : ''}<p class="fine"><a href="/forgot-password">${escapeHtml(t.text('login.forgotPassword'))}</a></p>
<p class="fine">${escapeHtml(t.text('login.ssoNote'))}</p>`,
    model.passkey ? { scripts: [PASSKEY_SCRIPT_PATH] } : {},
  );
}

/** The passkey sign-in: a form the script fills with the response and submits. */
function passkeyForm(
  { t }: PageFrame,
  model: LoginPageModel,
  passkey: NonNullable<LoginPageModel['passkey']>,
): string {
  return `<form method="post" action="/login/passkey" data-passkey="login" data-alert="login-error" data-options="${escapeHtml(passkey.optionsJson)}" data-cancelled="${escapeHtml(t.text('login.passkey.cancelled'))}" hidden>
<input type="hidden" name="authz" value="${escapeHtml(model.authz)}">
<input type="hidden" name="csrf" value="${escapeHtml(model.csrfToken)}">
<input type="hidden" name="lang" value="${escapeHtml(t.locale)}">
<input type="hidden" name="challenge" value="${escapeHtml(passkey.handle)}">
<input type="hidden" name="credential" value="">
<p class="or">${escapeHtml(t.text('login.passkey.or'))}</p>
<button type="button" class="secondary" data-action="passkey-login">${escapeHtml(t.text('login.passkey.button'))}</button>
</form>
`;
}
