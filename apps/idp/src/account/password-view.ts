import { MIN_PASSWORD_LENGTH, RECOMMENDED_PASSWORD_LENGTH } from '../users/password-policy.js';
import { escapeHtml, page, type PageFrame } from '../views/html.js';
import { formFields } from './account-view.js';

export interface PasswordPageModel {
  csrfToken: string;
  /** For password managers: the account the new password belongs to. */
  username: string;
  /** Already translated; announced in the alert region. */
  error?: string | undefined;
  /** Which field the error is about, for aria-invalid. */
  invalid?: 'current' | 'new' | undefined;
}

/**
 * GET /account/password: the current password, the new one twice. The autocomplete tokens
 * let password managers fill the current one and offer to generate and save the new one.
 */
export function passwordPage(frame: PageFrame, model: PasswordPageModel): string {
  const { t } = frame;
  const invalid = (field: 'current' | 'new') =>
    model.invalid === field ? ' aria-invalid="true"' : '';
  const describedBy = (field: 'current' | 'new', own = '') => {
    const ids = [own, model.invalid === field ? 'password-error' : ''].filter(Boolean);
    return ids.length ? ` aria-describedby="${ids.join(' ')}"` : '';
  };
  const hint = t.text('account.password.hint', {
    min: MIN_PASSWORD_LENGTH,
    recommended: RECOMMENDED_PASSWORD_LENGTH,
  });
  return page(
    frame,
    t.text('account.password.title'),
    `<h1>${escapeHtml(t.text('account.password.title'))}</h1>
<p class="lead">${escapeHtml(t.text('account.password.lead'))}</p>
<div id="password-error" class="alert" role="alert" aria-live="assertive">${model.error ? escapeHtml(model.error) : ''}</div>
<form method="post" action="/account/password" novalidate>
${formFields(t, model.csrfToken)}
<input type="text" name="username" value="${escapeHtml(model.username)}" autocomplete="username" hidden readonly>
<label for="current-password">${escapeHtml(t.text('account.password.current'))}</label>
<input type="password" id="current-password" name="current_password" autocomplete="current-password" maxlength="1024" required autofocus${invalid('current')}${describedBy('current')}>
<label for="new-password">${escapeHtml(t.text('account.password.new'))}</label>
<input type="password" id="new-password" name="new_password" autocomplete="new-password" maxlength="1024" required${invalid('new')}${describedBy('new', 'new-password-hint')}>
<p id="new-password-hint" class="hint">${escapeHtml(hint)}</p>
<label for="confirm-password">${escapeHtml(t.text('account.password.confirm'))}</label>
<input type="password" id="confirm-password" name="confirm_password" autocomplete="new-password" maxlength="1024" required${invalid('new')}${describedBy('new')}>
<button type="submit" data-action="change-password">${escapeHtml(t.text('account.password.submit'))}</button>
</form>
<p class="fine"><a href="/account">${escapeHtml(t.text('account.password.back'))}</a></p>`,
  );
}
