import type { Translator } from '../i18n/translate.js';
import { escapeHtml, htmlMessage, page, type PageFrame } from '../views/html.js';
import { PASSKEY_SCRIPT_PATH } from './browser-script.js';

export const PASSKEY_SECOND_FACTOR_PATH = '/login/second-factor/passkey';

export interface PasskeySecondFactorModel {
  step: string;
  csrfToken: string;
  username: string;
  ceremony: { handle: string; optionsJson: string };
  /** Already translated. */
  error?: string | undefined;
}

/**
 * The second step of a login with a passkey: after the password, the user's own passkeys
 * (allowCredentials) are asked for. The form posts the response with the step and the
 * pending authorization's CSRF token (login/second-factor.ts binds both to this browser).
 */
export function passkeySecondFactorPage(frame: PageFrame, model: PasskeySecondFactorModel): string {
  const { t } = frame;
  const username = `<strong>${escapeHtml(model.username)}</strong>`;
  return page(
    frame,
    t.text('login.passkey.secondFactorTitle'),
    `<h1>${escapeHtml(t.text('login.passkey.secondFactorTitle'))}</h1>
<p class="lead">${htmlMessage(t, 'login.passkey.secondFactorLead', { username })}</p>
<div id="passkey-error" class="alert" role="alert" aria-live="assertive">${model.error ? escapeHtml(model.error) : ''}</div>
${secondFactorForm(t, model)}`,
    { scripts: [PASSKEY_SCRIPT_PATH] },
  );
}

function secondFactorForm(t: Translator, model: PasskeySecondFactorModel): string {
  return `<form method="post" action="${PASSKEY_SECOND_FACTOR_PATH}" data-passkey="second-factor" data-alert="passkey-error" data-options="${escapeHtml(model.ceremony.optionsJson)}" data-cancelled="${escapeHtml(t.text('login.passkey.cancelled'))}" data-unsupported="${escapeHtml(t.text('account.passkeys.unsupported'))}" hidden>
<input type="hidden" name="step" value="${escapeHtml(model.step)}">
<input type="hidden" name="csrf" value="${escapeHtml(model.csrfToken)}">
<input type="hidden" name="lang" value="${escapeHtml(t.locale)}">
<input type="hidden" name="challenge" value="${escapeHtml(model.ceremony.handle)}">
<input type="hidden" name="credential" value="">
<button type="button" data-action="passkey-second-factor">${escapeHtml(t.text('login.passkey.secondFactor'))}</button>
</form>`;
}
