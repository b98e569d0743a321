import { DEFAULT_LOCALE, matchLocale, SUPPORTED_LOCALES, type Locale } from './locales.js';

/**
 * Headers and parameters are read only this far: every useful preference list is far shorter,
 * and a 10 KB header must cost no more than a short one.
 */
const MAX_INPUT_LENGTH = 1024;
/** At most this many entries of a list are considered, however the input is split. */
const MAX_ENTRIES = 32;

/** What a request says about the language its reader wants, strongest first. */
export interface LocalePreferences {
  /** An explicit choice: the switcher's `lang`, or the language the submitted form was shown in. */
  chosen?: string | undefined;
  /** OIDC Core §3.1.2.1 `ui_locales`: space-separated tags, most preferred first. */
  uiLocales?: string | undefined;
  /** The language cookie the switcher set. */
  cookie?: string | undefined;
  /** RFC 9110 §12.5.4. */
  acceptLanguage?: string | undefined;
}

/**
 * The page's locale: an explicit choice, then `ui_locales` (the application's hint for this
 * sign-in), then the cookie (the reader's last choice on this browser), then
 * `Accept-Language`, then English. Never throws: malformed input just matches nothing.
 */
export function negotiateLocale(preferences: LocalePreferences): Locale {
  return (
    matchOne(preferences.chosen) ??
    firstSupported(preferences.uiLocales) ??
    matchOne(preferences.cookie) ??
    fromAcceptLanguage(preferences.acceptLanguage) ??
    DEFAULT_LOCALE
  );
}

function matchOne(value: string | undefined): Locale | null {
  if (value === undefined || value.length > MAX_INPUT_LENGTH) return null;
  return matchLocale(value);
}

/** `ui_locales`: the first supported tag of the list wins. */
export function firstSupported(list: string | undefined): Locale | null {
  if (list === undefined) return null;
  for (const tag of entries(list, ' ')) {
    const locale = matchLocale(tag);
    if (locale) return locale;
  }
  return null;
}

/**
 * `Accept-Language: zh-CN;q=0.8, en;q=0.9` → en. Ranges sorted by weight (stable, so ties keep
 * the sender's order); `q=0` means "not this one"; a range with an unreadable weight is
 * skipped; `*` accepts anything: the first supported locale not refused by name.
 */
export function fromAcceptLanguage(header: string | undefined): Locale | null {
  if (header === undefined) return null;
  const ranges: Array<{ tag: string; q: number }> = [];
  for (const entry of entries(header, ',')) {
    const [tag = '', ...parameters] = entry.split(';').map((part) => part.trim());
    const q = weight(parameters);
    if (tag !== '' && q !== null && q > 0) ranges.push({ tag, q });
  }
  ranges.sort((a, b) => b.q - a.q);
  const refused = new Set(
    entries(header, ',')
      .filter((entry) => weight(entry.split(';').slice(1)) === 0)
      .map((entry) => matchLocale(entry.split(';')[0] ?? '')),
  );
  for (const { tag } of ranges) {
    const candidates = tag === '*' ? SUPPORTED_LOCALES : [matchLocale(tag)];
    const locale = candidates.find((candidate) => candidate && !refused.has(candidate));
    if (locale) return locale;
  }
  return null;
}

/** RFC 9110 §12.4.2: `q=` a number from 0 to 1 with at most three decimals; absent means 1. */
function weight(parameters: readonly string[]): number | null {
  const q = parameters.find((parameter) => /^q\s*=/i.test(parameter.trim()));
  if (q === undefined) return 1;
  const value = q.split('=')[1]?.trim() ?? '';
  if (!/^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(value)) return null;
  return Number(value);
}

function entries(input: string, separator: string): string[] {
  return input
    .slice(0, MAX_INPUT_LENGTH)
    .split(separator)
    .slice(0, MAX_ENTRIES)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}
