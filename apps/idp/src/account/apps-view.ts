import { escapeHtml, htmlMessage, type PageFrame } from '../views/html.js';
import { scopeList } from '../views/scope-list.js';
import { formatTime, isoTime } from './account-format.js';
import { formFields } from './form-fields.js';

/** One app in "Apps with access": a third-party client the user allowed, and what. */
export interface AppAccessRow {
  clientId: string;
  name: string;
  scopes: readonly string[];
  grantedAt: number;
}

/**
 * The account page's "Apps with access": each third-party app the user allowed, what it may
 * do (the consent page's sentences), since when, and a "Remove access" form.
 */
export function appsSection(
  { t }: PageFrame,
  apps: readonly AppAccessRow[],
  csrfToken: string,
): string {
  const items = apps.map((app) => {
    const since = `<time datetime="${isoTime(app.grantedAt)}">${escapeHtml(formatTime(t.locale, app.grantedAt))}</time>`;
    return `<li data-client="${escapeHtml(app.clientId)}">
<p class="device">${escapeHtml(app.name)}</p>
${scopeList(t, app.scopes)}
<ul class="meta"><li>${htmlMessage(t, 'account.apps.since', { time: since })}</li></ul>
<form method="post" action="/account/apps/remove">
${formFields(t, csrfToken)}
<input type="hidden" name="client" value="${escapeHtml(app.clientId)}">
<button type="submit" class="secondary" data-action="remove-access">${escapeHtml(t.text('account.apps.remove'))}</button>
</form>
</li>`;
  });
  const body = apps.length
    ? `<ul class="sessions">\n${items.join('\n')}\n</ul>`
    : `<p class="hint">${escapeHtml(t.text('account.apps.none'))}</p>`;
  return `<section aria-labelledby="apps">
<h2 id="apps">${escapeHtml(t.text('account.apps.heading'))}</h2>
<p class="lead">${escapeHtml(t.text('account.apps.lead'))}</p>
${body}
</section>`;
}
