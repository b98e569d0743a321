import type { Context } from 'koa';
import { requestLocale } from '../../i18n/language-cookie.js';
import { escapeHtml, page, sendHtml, type PageFrame } from '../../views/html.js';
import { messagePage } from '../../views/message-page.js';
import { pageFrame } from '../../views/page-frame.js';

/** The values the confirmation form carries back to POST /logout. */
export interface ConfirmFields {
  csrf: string;
  clientId?: string | undefined;
  postLogoutRedirectUri?: string | undefined;
  state?: string | undefined;
}

/** "You are signed out" (OIDC RP-Initiated Logout §3, no redirect URI). */
export function signedOutPage(frame: PageFrame): string {
  const { t } = frame;
  return page(
    frame,
    t.text('logout.signedOut.title'),
    `<h1>${escapeHtml(t.text('logout.signedOut.heading'))}</h1>
<p class="lead">${escapeHtml(t.text('logout.signedOut.message'))}</p>`,
  );
}

/** Refusal for a request the IdP cannot honour; `reason` is the protocol detail, in English. */
export function logoutErrorPage(frame: PageFrame, reason: string): string {
  return messagePage(frame, {
    title: 'logout.error.title',
    message: frame.t.text('logout.error.heading'),
    advice: 'logout.error.message',
    detail: reason,
  });
}

/** §2: without proof of who asks (a valid id_token_hint), the user confirms. */
export function confirmPage(frame: PageFrame, fields: ConfirmFields): string {
  const { t } = frame;
  const hidden = (name: string, value: string | undefined) =>
    value === undefined ? '' : `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  return page(
    frame,
    t.text('logout.confirm.title'),
    `<h1>${escapeHtml(t.text('logout.confirm.heading'))}</h1>
<p class="lead">${escapeHtml(t.text('logout.confirm.message'))}</p>
<form method="post" action="/logout">${hidden('csrf', fields.csrf)}${hidden('confirm', 'yes')}${hidden('client_id', fields.clientId)}${hidden('post_logout_redirect_uri', fields.postLogoutRedirectUri)}${hidden('state', fields.state)}<button type="submit">${escapeHtml(t.text('logout.confirm.submit'))}</button></form>`,
  );
}

/**
 * The switcher of the signed-out page shows GET /logout: with the session gone it answers
 * "signed out" again (its own URL, with a hint in it, would ask for confirmation instead).
 */
export function renderSignedOut(ctx: Context): void {
  sendHtml(ctx, 200, signedOutPage(pageFrame(ctx, requestLocale(ctx), '/logout')));
}

/** Never a redirect (§3: an unvalidated URI). */
export function renderLogoutError(ctx: Context, reason: string): void {
  sendHtml(ctx, 400, logoutErrorPage(pageFrame(ctx, requestLocale(ctx)), reason));
}

/**
 * A form's redirect is checked against CSP form-action too, so the validated post-logout
 * origin is allowed next to 'self'. The switcher asks again by GET with the same application,
 * return address and state, never with the id_token_hint: an ID token does not belong in a link.
 */
export function renderConfirm(ctx: Context, fields: ConfirmFields, redirectOrigin?: string): void {
  const query = new URLSearchParams();
  if (fields.clientId !== undefined) query.set('client_id', fields.clientId);
  if (fields.postLogoutRedirectUri !== undefined) {
    query.set('post_logout_redirect_uri', fields.postLogoutRedirectUri);
  }
  if (fields.state !== undefined) query.set('state', fields.state);
  const frame = pageFrame(ctx, requestLocale(ctx), `/logout?${query.toString()}`);
  sendHtml(ctx, 200, confirmPage(frame, fields), {
    hasForm: true,
    formTargets: redirectOrigin ? [redirectOrigin] : [],
  });
}
