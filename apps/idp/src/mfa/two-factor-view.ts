import type { PlainMessageKey } from '../i18n/catalogue.js';
import { formFields } from '../account/account-view.js';
import { escapeHtml, page, type PageFrame } from '../views/html.js';

/** The account page's two-step verification section, on a page of its own. */
export function twoFactorPage(
  frame: PageFrame,
  model: {
    csrfToken: string;
    totp: boolean;
    recoveryCodesLeft: number;
    notice?: PlainMessageKey | undefined;
    error?: string | undefined;
  },
): string {
  const { t } = frame;
  const notice = model.notice
    ? `<p class="notice" role="status">${escapeHtml(t.text(model.notice))}</p>\n`
    : '';
  const alert = `<div class="alert" role="alert" aria-live="assertive">${model.error ? escapeHtml(model.error) : ''}</div>`;
  const totp = model.totp
    ? `<p>${escapeHtml(t.text('mfa.account.totpOn'))}</p>
<p>${escapeHtml(t.text('mfa.account.recoveryLeft', { count: model.recoveryCodesLeft }))}</p>
<form method="post" action="/account/two-factor/recovery-codes">
${formFields(t, model.csrfToken)}
<button type="submit" data-action="regenerate-recovery-codes">${escapeHtml(t.text('mfa.account.regenerate'))}</button>
</form>
<form method="post" action="/account/two-factor/totp/remove">
${formFields(t, model.csrfToken)}
<button type="submit" class="secondary" data-action="remove-totp">${escapeHtml(t.text('mfa.account.removeTotp'))}</button>
</form>`
    : `<p>${escapeHtml(t.text('mfa.account.totpOff'))}</p>
<p class="actions"><a class="button" href="/account/two-factor/totp" data-action="add-totp">${escapeHtml(t.text('mfa.account.addTotp'))}</a></p>`;
  return page(
    frame,
    t.text('mfa.account.heading'),
    `<h1>${escapeHtml(t.text('mfa.account.heading'))}</h1>
${notice}<p class="lead">${escapeHtml(t.text('mfa.account.lead'))}</p>
${alert}
${totp}
<p class="fine"><a href="/account">${escapeHtml(t.text('mfa.account.back'))}</a></p>`,
  );
}

/**
 * Enrolment: the QR code (an SVG image in a data: URL, which the pages' CSP allows as
 * `img-src data:`; no script), the key as text for typing, and the field for the first code.
 */
export function enrolTotpPage(
  frame: PageFrame,
  model: { csrfToken: string; secret: string; qrSvg: string; error?: string | undefined },
): string {
  const { t } = frame;
  const invalid = model.error ? ' aria-invalid="true" aria-describedby="code-error"' : '';
  const qr = `data:image/svg+xml;base64,${Buffer.from(model.qrSvg).toString('base64')}`;
  // Groups of four, as authenticator apps show keys; the attribute holds it unbroken.
  const grouped = model.secret.replace(/(.{4})(?=.)/g, '$1 ');
  return page(
    frame,
    t.text('mfa.enrol.title'),
    `<h1>${escapeHtml(t.text('mfa.enrol.title'))}</h1>
<p class="lead">${escapeHtml(t.text('mfa.enrol.scan'))}</p>
<p><img src="${qr}" width="220" height="220" alt="${escapeHtml(t.text('mfa.enrol.qr'))}"></p>
<p>${escapeHtml(t.text('mfa.enrol.secret'))}: <code data-totp-secret="${escapeHtml(model.secret)}">${escapeHtml(grouped)}</code></p>
<div id="code-error" class="alert" role="alert" aria-live="assertive">${model.error ? escapeHtml(model.error) : ''}</div>
<form method="post" action="/account/two-factor/totp" novalidate>
${formFields(t, model.csrfToken)}
<label for="code">${escapeHtml(t.text('mfa.enrol.code'))}</label>
<input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="16" required autofocus${invalid}>
<button type="submit" data-action="confirm-totp">${escapeHtml(t.text('mfa.enrol.submit'))}</button>
</form>
<p class="fine"><a href="/account/two-factor">${escapeHtml(t.text('mfa.account.back'))}</a></p>`,
  );
}

/** The recovery codes, shown once (after enrolment, or after making new ones). */
export function recoveryCodesPage(
  frame: PageFrame,
  model: { codes: readonly string[]; notice?: PlainMessageKey },
): string {
  const { t } = frame;
  const notice = model.notice
    ? `<p class="notice" role="status">${escapeHtml(t.text(model.notice))}</p>\n`
    : '';
  const items = model.codes.map((code) => `<li><code>${escapeHtml(code)}</code></li>`).join('\n');
  return page(
    frame,
    t.text('mfa.codes.title'),
    `<h1>${escapeHtml(t.text('mfa.codes.title'))}</h1>
${notice}<p class="lead">${escapeHtml(t.text('mfa.codes.lead'))}</p>
<ul data-recovery-codes>
${items}
</ul>
<p class="actions"><a class="button" href="/account/two-factor">${escapeHtml(t.text('mfa.codes.done'))}</a></p>`,
  );
}
