import type { Context } from 'koa';
import { withLanguage } from '../i18n/language-cookie.js';
import type { Locale } from '../i18n/locales.js';
import { translator } from '../i18n/translate.js';
import type { PageFrame } from './html.js';

/**
 * The frame of a page answering `ctx`. The switcher links to `reshow` with `lang` set: a GET
 * that shows the same page again, named by the routes that have one (the login form, the
 * logout confirmation). By default only the request's path: an error page must not turn what
 * the request carried (an unregistered redirect URI, a token) into a link, and a POST is not
 * repeated by a link; the path answers the same kind of page in the new language.
 */
export function pageFrame(ctx: Context, locale: Locale, reshow?: string): PageFrame {
  const here = reshow ?? ctx.path;
  return { t: translator(locale), languageHref: (other) => withLanguage(here, other) };
}
