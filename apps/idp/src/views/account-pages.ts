import { escapeHtml, page, type PageFrame } from './html.js';

/**
 * The account wing's forms: forgot password, choose a password (reset and invitation),
 * confirm an address, sign up. Plain HTML without JavaScript, like the login form: real
 * labels, the autocomplete tokens password managers need, the alert tied to the fields. Each
 * form carries its CSRF token and the language it is shown in (`lang`), so the answer to it
 * speaks the same language.
 */

export interface FormFrame {
  csrfToken: string;
  /** Already translated. */
  error?: string;
}

function alert(error: string | undefined): string {
  return `<div id="form-error" class="alert" role="alert" aria-live="assertive">${error ? escapeHtml(error) : ''}</div>`;
}

function hidden(name: string, value: string): string {
  return `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
}

function common(frame: PageFrame, form: FormFrame): string {
  return hidden('csrf', form.csrfToken) + hidden('lang', frame.t.locale);
}

const invalid = (error: string | undefined) =>
  error ? ' aria-invalid="true" aria-describedby="form-error"' : '';

export function forgotPasswordPage(frame: PageFrame, form: FormFrame & { email?: string }): string {
  const { t } = frame;
  return page(
    frame,
    t.text('forgot.title'),
    `<h1>${escapeHtml(t.text('forgot.heading'))}</h1>
<p class="lead">${escapeHtml(t.text('forgot.intro'))}</p>
${alert(form.error)}
<form method="post" action="/forgot-password" novalidate>
${common(frame, form)}
<label for="email">${escapeHtml(t.text('account.email'))}</label>
<input type="email" id="email" name="email" value="${escapeHtml(form.email ?? '')}" autocomplete="email" autocapitalize="none" spellcheck="false" maxlength="320" required autofocus${invalid(form.error)}>
<button type="submit">${escapeHtml(t.text('forgot.submit'))}</button>
</form>`,
  );
}

export interface SetPasswordModel extends FormFrame {
  /** The link's token, sent back with the form (never in a URL the page links to). */
  token: string;
  username: string;
  /** An invitation says "set", a reset says "choose a new". */
  invitation: boolean;
  minLength: number;
  recommendedLength: number;
}

export function setPasswordPage(frame: PageFrame, model: SetPasswordModel): string {
  const { t } = frame;
  const hint = t.text('reset.hint', { min: model.minLength, recommended: model.recommendedLength });
  const describedBy = model.error ? 'form-error password-hint' : 'password-hint';
  const state = model.error ? ' aria-invalid="true"' : '';
  return page(
    frame,
    t.text('reset.title'),
    `<h1>${escapeHtml(t.text(model.invitation ? 'reset.invite.heading' : 'reset.heading'))}</h1>
<p class="lead">${escapeHtml(t.text('reset.for', { username: model.username }))}</p>
${alert(model.error)}
<form method="post" action="/reset-password" novalidate>
${common(frame, model)}${hidden('token', model.token)}
<input type="text" name="username" value="${escapeHtml(model.username)}" autocomplete="username" hidden readonly>
<label for="password">${escapeHtml(t.text('reset.password'))}</label>
<input type="password" id="password" name="password" autocomplete="new-password" maxlength="1024" required autofocus aria-describedby="${describedBy}"${state}>
<p id="password-hint" class="fine">${escapeHtml(hint)}</p>
<label for="confirm">${escapeHtml(t.text('reset.confirm'))}</label>
<input type="password" id="confirm" name="confirm" autocomplete="new-password" maxlength="1024" required>
<button type="submit">${escapeHtml(t.text('reset.submit'))}</button>
</form>`,
  );
}

export function verifyEmailPage(
  frame: PageFrame,
  model: FormFrame & { token: string; username: string },
): string {
  const { t } = frame;
  return page(
    frame,
    t.text('verify.title'),
    `<h1>${escapeHtml(t.text('verify.title'))}</h1>
<p class="lead">${escapeHtml(t.text('verify.message', { username: model.username }))}</p>
${alert(model.error)}
<form method="post" action="/verify-email">
${common(frame, model)}${hidden('token', model.token)}
<button type="submit">${escapeHtml(t.text('verify.submit'))}</button>
</form>`,
  );
}

export interface SignupModel extends FormFrame {
  username?: string;
  email?: string;
  minLength: number;
  recommendedLength: number;
}

export function signupPage(frame: PageFrame, model: SignupModel): string {
  const { t } = frame;
  const hint = t.text('reset.hint', { min: model.minLength, recommended: model.recommendedLength });
  return page(
    frame,
    t.text('signup.title'),
    `<h1>${escapeHtml(t.text('signup.heading'))}</h1>
${alert(model.error)}
<form method="post" action="/signup" novalidate>
${common(frame, model)}
<label for="username">${escapeHtml(t.text('signup.username'))}</label>
<input type="text" id="username" name="username" value="${escapeHtml(model.username ?? '')}" autocomplete="username" autocapitalize="none" spellcheck="false" maxlength="64" required autofocus${invalid(model.error)}>
<label for="email">${escapeHtml(t.text('account.email'))}</label>
<input type="email" id="email" name="email" value="${escapeHtml(model.email ?? '')}" autocomplete="email" autocapitalize="none" spellcheck="false" maxlength="320" required>
<label for="password">${escapeHtml(t.text('signup.password'))}</label>
<input type="password" id="password" name="password" autocomplete="new-password" maxlength="1024" required aria-describedby="password-hint">
<p id="password-hint" class="fine">${escapeHtml(hint)}</p>
<button type="submit">${escapeHtml(t.text('signup.submit'))}</button>
</form>`,
  );
}
