import type { PlainMessageKey } from '../i18n/catalogue.js';
import { escapeHtml, page, type PageFrame } from './html.js';

export interface MessagePageModel {
  title: PlainMessageKey;
  /** Already translated: a catalogue message, its placeholders filled. */
  message: string;
  /** The closing advice; default: go back to the application and sign in again. */
  advice?: PlainMessageKey;
  /**
   * The protocol's own words for the developer of the application that sent the request
   * (an RFC 6749 `error` code and its description). Shown as code, marked English: they are
   * identifiers and logs-grade detail, the same in every language, not sentences for the reader.
   */
  detail?: string;
}

/** A page that explains a problem to a person: a heading and a sentence, nothing to leak. */
export function messagePage(frame: PageFrame, model: MessagePageModel): string {
  const { t } = frame;
  const title = t.text(model.title);
  const detail =
    model.detail === undefined
      ? ''
      : `\n<p class="fine">${escapeHtml(t.text('message.technicalDetail'))} <code lang="en">${escapeHtml(model.detail)}</code></p>`;
  return page(
    frame,
    title,
    `<h1>${escapeHtml(title)}</h1>
<p class="lead" role="alert">${escapeHtml(model.message)}</p>
<p class="fine">${escapeHtml(t.text(model.advice ?? 'message.backToApp'))}</p>${detail}`,
  );
}
