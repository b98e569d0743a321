import { escapeHtml, page } from './html.js';

export interface LoginPageModel {
  /** The pending authorization this form completes. */
  authz: string;
  csrfToken: string;
  clientName: string;
  /** Prefilled username (after a failed attempt, or OIDC `login_hint`). */
  username?: string;
  /** Shown in the alert region, which screen readers announce when the page loads. */
  error?: string;
}

/**
 * The login form. Plain HTML that works without JavaScript: real labels, the autocomplete
 * tokens password managers rely on, and the error tied to the fields with aria-describedby.
 */
export function loginPage(model: LoginPageModel): string {
  const invalid = model.error ? ' aria-invalid="true" aria-describedby="login-error"' : '';
  return page(
    'Sign in',
    `<h1>Sign in <small>to continue to <strong>${escapeHtml(model.clientName)}</strong></small></h1>
<div id="login-error" class="alert" role="alert" aria-live="assertive">${model.error ? escapeHtml(model.error) : ''}</div>
<form method="post" action="/login" novalidate>
<input type="hidden" name="authz" value="${escapeHtml(model.authz)}">
<input type="hidden" name="csrf" value="${escapeHtml(model.csrfToken)}">
<label for="username">Username</label>
<input type="text" id="username" name="username" value="${escapeHtml(model.username ?? '')}" autocomplete="username" autocapitalize="none" spellcheck="false" maxlength="200" required${invalid}${model.username ? '' : ' autofocus'}>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" maxlength="1024" required${invalid}${model.username ? ' autofocus' : ''}>
<button type="submit">Sign in</button>
</form>
<p class="fine">Signing in here signs you in to every Latchkey application on this browser.</p>`,
  );
}
