import type { Context, Middleware } from 'koa';
import { matchLocale, type Locale } from './locales.js';
import { negotiateLocale } from './negotiate.js';

/** The switcher's choice, remembered on this browser. */
export const LANGUAGE_COOKIE = 'latchkey_lang';
/** The query parameter of the switcher's links. */
export const LANGUAGE_PARAMETER = 'lang';
const ONE_YEAR_MS = 365 * 24 * 60 * 60 * 1000;

/**
 * The switcher: on a page route, `?lang=zh-CN` stores the choice in a cookie and shows this
 * page in it. No CSRF token: a cross-site link can do nothing here but change the language
 * of the IdP's pages, which the reader sees at once and can switch back; it touches no
 * session, no sign-in and no account. Not HttpOnly (nothing secret in it) but SameSite=Lax,
 * host-only, Path=/, a year. A value that is not a supported locale is ignored.
 */
export function languageSwitch(options: { https: boolean }): Middleware {
  return async (ctx, next) => {
    const asked = ctx.query[LANGUAGE_PARAMETER];
    const locale = typeof asked === 'string' ? matchLocale(asked) : null;
    if (locale) {
      if (options.https) ctx.cookies.secure = true;
      ctx.cookies.set(LANGUAGE_COOKIE, locale, {
        httpOnly: false,
        sameSite: 'lax',
        secure: options.https,
        path: '/',
        maxAge: ONE_YEAR_MS,
        overwrite: true,
        signed: false,
      });
    }
    await next();
  };
}

/**
 * The locale of the page this request gets (negotiate.ts has the order): `chosen` is a form's
 * own `lang` field, `uiLocales` the sign-in's `ui_locales`; without one, a `ui_locales` in the
 * query (OIDC Core §3.1.2.1 at /authorize, RP-Initiated Logout §2 at /logout).
 */
export function requestLocale(
  ctx: Context,
  from: { chosen?: string | undefined; uiLocales?: string | undefined } = {},
): Locale {
  const asked = ctx.query[LANGUAGE_PARAMETER];
  const queried = ctx.query.ui_locales;
  return negotiateLocale({
    chosen: typeof asked === 'string' && matchLocale(asked) ? asked : from.chosen,
    uiLocales: from.uiLocales ?? (typeof queried === 'string' ? queried : undefined),
    cookie: ctx.cookies.get(LANGUAGE_COOKIE),
    acceptLanguage: ctx.get('Accept-Language') || undefined,
  });
}

/**
 * The same page with `lang` set: the switcher's link to it in another language. Always a path
 * on this host: whatever the request line held, the link cannot lead anywhere else.
 */
export function withLanguage(pathAndQuery: string, locale: Locale): string {
  const url = new URL(pathAndQuery, 'http://page.invalid');
  url.searchParams.set(LANGUAGE_PARAMETER, locale);
  // `//host` would be a link to another site; one slash keeps it here.
  return `${url.pathname.replace(/^\/+/, '/')}${url.search}`;
}
