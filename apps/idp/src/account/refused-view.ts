import { escapeHtml, page, type PageFrame } from '../views/html.js';

/** A refused form (no or wrong CSRF token, a foreign Origin): nothing changed, a way back. */
export function refusedPage(frame: PageFrame): string {
  const { t } = frame;
  const title = t.text('account.refused.title');
  return page(
    frame,
    title,
    `<h1>${escapeHtml(title)}</h1>
<p class="lead" role="alert">${escapeHtml(t.text('account.refused.message'))}</p>
<p class="actions"><a class="button" href="/account">${escapeHtml(t.text('account.refused.back'))}</a></p>`,
  );
}
