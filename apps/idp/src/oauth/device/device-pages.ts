import { escapeHtml, htmlMessage, page, type PageFrame } from '../../views/html.js';
import { scopeList } from '../../views/scope-list.js';
import { formatUserCode } from './user-code.js';

function hidden(t: PageFrame['t'], csrfToken: string): string {
  return `<input type="hidden" name="csrf" value="${escapeHtml(csrfToken)}">
<input type="hidden" name="lang" value="${escapeHtml(t.locale)}">`;
}

/**
 * GET /device: the field `user_code` (prefilled from verification_uri_complete). The error is
 * the same for every code that cannot be used, so the page never tells which codes exist.
 */
export function userCodePage(
  frame: PageFrame,
  model: { csrfToken: string; typed?: string; error?: string },
): string {
  const { t } = frame;
  const title = t.text('device.title');
  const invalid = model.error ? ' aria-invalid="true"' : '';
  return page(
    frame,
    title,
    `<h1>${escapeHtml(title)}</h1>
<p class="lead">${escapeHtml(t.text('device.lead'))}</p>
<div id="device-error" class="alert" role="alert" aria-live="assertive">${model.error ? escapeHtml(model.error) : ''}</div>
<form method="post" action="/device" novalidate>
${hidden(t, model.csrfToken)}
<label for="user-code">${escapeHtml(t.text('device.code'))}</label>
<input type="text" id="user-code" name="user_code" value="${escapeHtml(model.typed ?? '')}" autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="32" required autofocus aria-describedby="user-code-hint${model.error ? ' device-error' : ''}"${invalid}>
<p id="user-code-hint" class="hint">${escapeHtml(t.text('device.codeHint'))}</p>
<button type="submit">${escapeHtml(t.text('device.continue'))}</button>
</form>`,
  );
}

/** The confirmation: which application, as whom, may do what; allow or deny. */
export function confirmDevicePage(
  frame: PageFrame,
  model: {
    csrfToken: string;
    clientName: string;
    username: string;
    userCode: string;
    scope: readonly string[];
  },
): string {
  const { t } = frame;
  const client = `<strong>${escapeHtml(model.clientName)}</strong>`;
  const code = formatUserCode(model.userCode);
  return page(
    frame,
    t.text('device.confirm.title', { client: model.clientName }),
    `<h1>${htmlMessage(t, 'device.confirm.title', { client })}</h1>
<p class="lead">${htmlMessage(t, 'device.confirm.lead', { client, username: `<strong>${escapeHtml(model.username)}</strong>` })}</p>
${scopeList(t, model.scope)}
<p>${htmlMessage(t, 'device.confirm.code', { code: `<strong><code>${escapeHtml(code)}</code></strong>` })}</p>
<form method="post" action="/device">
${hidden(t, model.csrfToken)}
<input type="hidden" name="user_code" value="${escapeHtml(code)}">
<p class="actions"><button type="submit" name="decision" value="allow">${escapeHtml(t.text('device.confirm.allow'))}</button>
<button type="submit" class="secondary" name="decision" value="deny">${escapeHtml(t.text('device.confirm.deny'))}</button></p>
</form>`,
  );
}

/** After the decision: where the person stands, nothing to do here. */
export function deviceDonePage(frame: PageFrame, allowed: boolean): string {
  const { t } = frame;
  const title = t.text(allowed ? 'device.allowed.title' : 'device.denied.title');
  const message = t.text(allowed ? 'device.allowed.message' : 'device.denied.message');
  return page(
    frame,
    title,
    `<h1>${escapeHtml(title)}</h1>
<p class="lead" role="status">${escapeHtml(message)}</p>`,
  );
}
