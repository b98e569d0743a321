import { escapeHtml, htmlMessage, page, type PageFrame } from '../views/html.js';
import { messagePage } from '../views/message-page.js';
import { scopeList } from '../views/scope-list.js';

export interface ConsentPageModel {
  /** The pending authorization the answer completes (its id, not a credential). */
  authz: string;
  csrfToken: string;
  clientName: string;
  username: string;
  scope: readonly string[];
}

/**
 * The consent page: which application, as which account, may do what (each scope in words),
 * with Allow and Deny (DESIGN.md Contract: `<button name="decision" value="allow|deny">`).
 */
export function consentPage(frame: PageFrame, model: ConsentPageModel): string {
  const { t } = frame;
  const client = `<strong>${escapeHtml(model.clientName)}</strong>`;
  const username = `<strong>${escapeHtml(model.username)}</strong>`;
  return page(
    frame,
    t.text('consent.title', { client: model.clientName }),
    `<h1>${htmlMessage(t, 'consent.title', { client })}</h1>
<p class="lead">${htmlMessage(t, 'consent.lead', { client, username })}</p>
${scopeList(t, model.scope)}
<p class="hint">${escapeHtml(t.text('consent.note'))}</p>
<form method="post" action="/consent">
<input type="hidden" name="authz" value="${escapeHtml(model.authz)}">
<input type="hidden" name="csrf" value="${escapeHtml(model.csrfToken)}">
<input type="hidden" name="lang" value="${escapeHtml(t.locale)}">
<p class="actions"><button type="submit" name="decision" value="allow" data-action="consent-allow">${escapeHtml(t.text('consent.allow'))}</button>
<button type="submit" class="secondary" name="decision" value="deny" data-action="consent-deny">${escapeHtml(t.text('consent.deny'))}</button></p>
</form>`,
  );
}

/**
 * A consent answer that cannot count: no or a wrong CSRF token, another session than the one
 * shown the page, an answer already given or expired. Nothing was granted; the person starts
 * again from the application.
 */
export function consentRefusedPage(frame: PageFrame): string {
  return messagePage(frame, {
    title: 'consent.refused.title',
    message: frame.t.text('consent.refused.message'),
  });
}
