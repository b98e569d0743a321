import type { Translator } from '../i18n/translate.js';
import { escapeHtml } from '../views/html.js';

/** The hidden fields every form of the account pages carries. */
export function formFields(t: Translator, csrfToken: string): string {
  return `<input type="hidden" name="csrf" value="${escapeHtml(csrfToken)}">
<input type="hidden" name="lang" value="${escapeHtml(t.locale)}">`;
}
