import { createHash } from 'node:crypto';
import type { Context } from 'koa';
import { PAGE_STYLE } from './page-style.js';

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

// The one inline stylesheet is allowed by its hash: no 'unsafe-inline', no nonce to thread
// through every render, and no script at all (the pages work without JavaScript).
const STYLE_HASH = `'sha256-${createHash('sha256').update(PAGE_STYLE).digest('base64')}'`;

/** A complete page: language, viewport for phones, one `<main>` landmark. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(title)} · Latchkey</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<main>
<p class="brand" aria-hidden="true"><svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><circle cx="7.5" cy="15.5" r="4.5"/><path d="M10.7 12.3 20 3M16 7l3 3M14 9l2 2"/></svg> Latchkey</p>
${body}
</main>
</body>
</html>
`;
}

export interface HtmlOptions {
  /**
   * Where forms on the page may be submitted, besides this origin. CSP form-action also
   * governs the redirects that follow a submission, so the login page must allow the
   * client's redirect URI origin or browsers block the final redirect back to the client.
   */
  formTargets?: readonly string[];
  /** Whether the page has a form at all (error pages: form-action 'none'). */
  hasForm?: boolean;
}

/** Sends an HTML page with the headers every page of the IdP needs. */
export function sendHtml(ctx: Context, status: number, html: string, options: HtmlOptions = {}) {
  const formAction = options.hasForm
    ? ["'self'", ...(options.formTargets ?? [])].join(' ')
    : "'none'";
  ctx.status = status;
  ctx.set({
    'Content-Security-Policy': [
      "default-src 'none'",
      `style-src ${STYLE_HASH}`,
      "img-src 'self' data:",
      `form-action ${formAction}`,
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join('; '),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    // Pages carry a CSRF token or a per-request message: never cache, never store.
    'Cache-Control': 'no-store',
    Pragma: 'no-cache',
  });
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = html;
}
