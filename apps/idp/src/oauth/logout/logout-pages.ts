import { randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import { escapeHtml } from '../../views/html.js';

/** The values the confirmation form carries back to POST /logout. */
export interface ConfirmFields {
  csrf: string;
  clientId?: string | undefined;
  postLogoutRedirectUri?: string | undefined;
  state?: string | undefined;
}

const STYLE = `
body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:2rem 1rem;background:#f6f7f9;color:#1b1f24}
main{max-width:28rem;margin:0 auto;background:#fff;border-radius:.5rem;padding:1.5rem;
box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.4rem;margin-top:0}
button{font:inherit;padding:.6rem 1.2rem;border:0;border-radius:.4rem;background:#1f5fbf;color:#fff}
button:focus{outline:3px solid #f0b400;outline-offset:2px}`;

/** "You are signed out" (OIDC RP-Initiated Logout §3, no redirect URI). */
export function renderSignedOut(ctx: Context): void {
  render(ctx, 200, 'Signed out', '<h1>You are signed out</h1><p>You can close this window.</p>');
}

/** Refusal for a request the IdP cannot honour; never a redirect (§3: unvalidated URI). */
export function renderLogoutError(ctx: Context, message: string): void {
  render(
    ctx,
    400,
    'Sign-out failed',
    `<h1>Sign-out request refused</h1><p>${escapeHtml(message)}</p>` +
      '<p>Nothing was changed. Return to the application and try again.</p>',
  );
}

/** §2: without proof of who asks (a valid id_token_hint), the user confirms. */
export function renderConfirm(ctx: Context, fields: ConfirmFields, redirectOrigin?: string): void {
  const hidden = (name: string, value: string | undefined) =>
    value === undefined ? '' : `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  render(
    ctx,
    200,
    'Sign out?',
    '<h1>Sign out?</h1><p>Do you want to sign out of every application using this account?</p>' +
      '<form method="post" action="/logout">' +
      hidden('csrf', fields.csrf) +
      hidden('confirm', 'yes') +
      hidden('client_id', fields.clientId) +
      hidden('post_logout_redirect_uri', fields.postLogoutRedirectUri) +
      hidden('state', fields.state) +
      '<button type="submit">Sign out</button></form>',
    redirectOrigin,
  );
}

function render(
  ctx: Context,
  status: number,
  title: string,
  content: string,
  redirectOrigin?: string,
): void {
  const nonce = randomBytes(16).toString('base64');
  // A form's redirect is checked against form-action too, so the validated post-logout
  // origin is allowed next to 'self'.
  const formAction = ["'self'", ...(redirectOrigin ? [redirectOrigin] : [])].join(' ');
  ctx.set({
    'Content-Security-Policy':
      `default-src 'none'; style-src 'nonce-${nonce}'; form-action ${formAction}; ` +
      "base-uri 'none'; frame-ancestors 'none'",
    'Cache-Control': 'no-store',
    Pragma: 'no-cache',
  });
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.body =
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(title)} · Latchkey</title><style nonce="${nonce}">${STYLE}</style>` +
    `</head><body><main>${content}</main></body></html>`;
}
