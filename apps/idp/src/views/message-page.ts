import { escapeHtml, page } from './html.js';

/** A page that explains a problem to a person: a heading and a sentence, nothing to leak. */
export function messagePage(title: string, message: string): string {
  return page(
    title,
    `<h1>${escapeHtml(title)}</h1>
<p class="lead" role="alert">${escapeHtml(message)}</p>
<p class="fine">Go back to the application you came from and sign in again.</p>`,
  );
}
