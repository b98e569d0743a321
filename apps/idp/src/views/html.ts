import { createHash } from 'node:crypto';
import type { Context } from 'koa';
import type { MessageKey } from '../i18n/catalogue.js';
import { LOCALE_NAMES, SUPPORTED_LOCALES, type Locale } from '../i18n/locales.js';
import { fill, type Translator } from '../i18n/translate.js';
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

/** What every page needs besides its content: its language, and its own URL in the others. */
export interface PageFrame {
  t: Translator;
  /** This page in another language (the switcher's links). */
  languageHref: (locale: Locale) => string;
}

/**
 * A message whose placeholders take markup (`<strong>` around a name): the message's own text
 * is escaped, the markup given for each placeholder is not, so callers escape what they put in.
 */
export function htmlMessage(
  t: Translator,
  key: MessageKey,
  markup: Readonly<Record<string, string>>,
): string {
  return fill(
    t.template(key),
    (name) => (Object.hasOwn(markup, name) ? markup[name] : undefined),
    escapeHtml,
  );
}

/**
 * A complete page: its language on `<html lang>`, viewport for phones, one `<main>` landmark,
 * and the language switcher (`wide` for pages with more than one form, the account page). The brand and the languages' own names are proper names, the only
 * visible text not from the catalogue; each language name carries its own `lang`, so screen
 * readers pronounce "简体中文" as Chinese on an English page.
 */
export function page(
  frame: PageFrame,
  title: string,
  body: string,
  options: { wide?: boolean; scripts?: readonly string[] } = {},
): string {
  const { t } = frame;
  // Files the IdP serves itself (script-src 'self'): never inline script, never another host.
  const scripts = (options.scripts ?? [])
    .map((src) => `<script src="${escapeHtml(src)}" defer></script>\n`)
    .join('');
  return `<!doctype html>
<html lang="${t.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(title)} · Latchkey</title>
<style>${PAGE_STYLE}</style>
${scripts}</head>
<body>
<main${options.wide ? ' class="wide"' : ''}>
<p class="brand" aria-hidden="true"><svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><circle cx="7.5" cy="15.5" r="4.5"/><path d="M10.7 12.3 20 3M16 7l3 3M14 9l2 2"/></svg> Latchkey</p>
${body}
${languageSwitcher(frame)}
</main>
</body>
</html>
`;
}

/** Links, not a form: a plain GET that works without JavaScript (i18n/language-cookie.ts). */
function languageSwitcher({ t, languageHref }: PageFrame): string {
  const items = SUPPORTED_LOCALES.map((locale) => {
    const name = escapeHtml(LOCALE_NAMES[locale]);
    return locale === t.locale
      ? `<span lang="${locale}" aria-current="true">${name}</span>`
      : `<a href="${escapeHtml(languageHref(locale))}" hreflang="${locale}" lang="${locale}">${name}</a>`;
  });
  return `<nav class="lang" aria-label="${escapeHtml(t.text('language.label'))}">${items.join(' ')}</nav>`;
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
  /**
   * Default `no-referrer`. The account pages use `same-origin`: under `no-referrer` a browser
   * sends `Origin: null` with a form POST (Fetch, "append a request Origin header"), and
   * those pages refuse any Origin but their own.
   */
  referrerPolicy?: 'no-referrer' | 'same-origin';
  /**
   * The page loads scripts the IdP serves (the passkey ceremonies, which need JavaScript):
   * `script-src 'self'`. Pages without it allow no script at all.
   */
  scripts?: boolean;
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
      ...(options.scripts ? ["script-src 'self'"] : []),
      "img-src 'self' data:",
      `form-action ${formAction}`,
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join('; '),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': options.referrerPolicy ?? 'no-referrer',
    'X-Frame-Options': 'DENY',
    // Pages carry a CSRF token or a per-request message: never cache, never store.
    'Cache-Control': 'no-store',
    Pragma: 'no-cache',
  });
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = html;
}
