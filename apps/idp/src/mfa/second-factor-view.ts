import { escapeHtml, htmlMessage, page, type PageFrame } from '../views/html.js';

export interface SecondFactorPageModel {
  /** The step this form completes (login/second-factor-step.ts). */
  step: string;
  csrfToken: string;
  /** Set for a step-up: the application that asked for more. */
  stepUpClient?: string;
  /** Show the passkey button (the passkeys wing handles it); only when the user has one. */
  passkeys: boolean;
  /** Whether the user has a TOTP or recovery codes to type. */
  codes: boolean;
  /** Already translated. */
  error?: string;
}

/**
 * The login's second step: one field named `code` takes a TOTP code or a recovery code (the
 * shape tells them apart), so that a person who lost their phone needs no other page. The
 * passkey button carries the step and its CSRF token for the passkeys wing's script.
 */
export function secondFactorPage(frame: PageFrame, model: SecondFactorPageModel): string {
  const { t } = frame;
  const invalid = model.error ? ' aria-invalid="true" aria-describedby="code-error"' : '';
  const lead =
    model.stepUpClient !== undefined
      ? htmlMessage(t, 'mfa.step.stepUp', {
          client: `<strong>${escapeHtml(model.stepUpClient)}</strong>`,
        })
      : escapeHtml(t.text('mfa.step.lead'));
  const codeForm = model.codes
    ? `<form method="post" action="/login/second-factor" novalidate>
<input type="hidden" name="step" value="${escapeHtml(model.step)}">
<input type="hidden" name="csrf" value="${escapeHtml(model.csrfToken)}">
<input type="hidden" name="lang" value="${escapeHtml(t.locale)}">
<label for="code">${escapeHtml(t.text('mfa.step.code'))}</label>
<input type="text" id="code" name="code" inputmode="text" autocomplete="one-time-code" autocapitalize="none" spellcheck="false" maxlength="64" required autofocus${invalid}>
<button type="submit">${escapeHtml(t.text('mfa.step.submit'))}</button>
</form>
<p class="fine">${escapeHtml(t.text('mfa.step.recoveryHint'))}</p>`
    : '';
  const passkey = model.passkeys
    ? // The passkeys wing's page runs the ceremony (passkeys/passkey-login-routes.ts); the step
      // travels in the link, its CSRF token stays in this browser's cookie.
      `<p class="actions"><a class="button" href="/login/second-factor/passkey?step=${encodeURIComponent(model.step)}" data-action="passkey-second-factor">${escapeHtml(t.text('mfa.step.passkey'))}</a></p>`
    : '';
  return page(
    frame,
    t.text('mfa.step.title'),
    `<h1>${escapeHtml(t.text('mfa.step.heading'))}</h1>
<p class="lead">${lead}</p>
<div id="code-error" class="alert" role="alert" aria-live="assertive">${model.error ? escapeHtml(model.error) : ''}</div>
${codeForm}
${passkey}`,
  );
}
