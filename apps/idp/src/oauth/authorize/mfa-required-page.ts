import type { Context } from 'koa';
import { requestLocale } from '../../i18n/language-cookie.js';
import { escapeHtml, htmlMessage, page, sendHtml, type PageFrame } from '../../views/html.js';
import { pageFrame } from '../../views/page-frame.js';

/** Where a user sets up a second factor (mfa/ account pages). */
export const SET_UP_SECOND_FACTOR_PATH = '/account/two-factor';

/**
 * The answer when a login needs a second factor (the client's `require_mfa`, the user's role,
 * `acr_values`) and the user has none: said plainly, with the way to set one up. No code is
 * issued: a weaker login than the client needs is never passed off as enough.
 *
 * `retry` is the request to go back to once a factor is set up (a step-up asked of a live
 * session, where the user is signed in and can set one up at once): the account page then
 * opens beside this one, and this page offers to continue, so a step-up ends where it began.
 */
export function sendMfaRequiredPage(
  ctx: Context,
  clientName: string,
  chosen?: string,
  retry?: string,
): void {
  const frame = pageFrame(ctx, requestLocale(ctx, { chosen }));
  sendHtml(ctx, 403, mfaRequiredPage(frame, clientName, retry));
}

/** The page itself: what is missing, the way to set it up, and the way back when there is one. */
export function mfaRequiredPage(frame: PageFrame, clientName: string, retry?: string): string {
  const { t } = frame;
  // Only a path of this IdP (the /authorize request itself), never a URL that leaves it.
  const back = retry !== undefined && /^\/authorize\?/.test(retry) ? retry : undefined;
  const opens = back === undefined ? '' : ' target="_blank" rel="noopener"';
  const link = `<a href="${SET_UP_SECOND_FACTOR_PATH}" data-action="set-up-second-factor"${opens}>${escapeHtml(t.text('mfa.account.manage'))}</a>`;
  const message = htmlMessage(t, 'mfa.required.message', {
    client: `<strong>${escapeHtml(clientName)}</strong>`,
    link,
  });
  const title = t.text('mfa.required.title');
  return page(
    frame,
    title,
    `<h1>${escapeHtml(title)}</h1>
<p class="lead" role="alert">${message}</p>
<p class="fine">${escapeHtml(t.text('mfa.required.advice'))}</p>${
      back === undefined
        ? ''
        : `
<p><a class="button" href="${escapeHtml(back)}" data-action="continue-after-set-up">${escapeHtml(t.text('mfa.required.continue', { client: clientName }))}</a></p>`
    }`,
  );
}
