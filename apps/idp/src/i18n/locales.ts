/** The languages every IdP page is written in; the first is the default. */
export const SUPPORTED_LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof SUPPORTED_LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

/**
 * Each language named in itself (an endonym): the switcher shows "简体中文" to an English
 * reader too, because the person looking for it reads Chinese. Proper names, not catalogue text.
 */
export const LOCALE_NAMES: Readonly<Record<Locale, string>> = {
  en: 'English',
  'zh-CN': '简体中文',
};

/**
 * The supported locale a BCP 47 tag asks for, or null. Matching is case-insensitive
 * (RFC 5646 §2.1.1). `en-GB` reads English; `zh`, `zh-Hans…` and the regions that write
 * Simplified characters (mainland China, Singapore, Malaysia) read zh-CN. `zh-TW`, `zh-HK`
 * and `zh-Hant` ask for Traditional characters, which we do not have: no match, so the next
 * preference decides instead of a script the reader did not ask for.
 */
export function matchLocale(tag: string): Locale | null {
  const lower = tag.trim().toLowerCase();
  if (lower === 'en' || lower.startsWith('en-')) return 'en';
  if (SIMPLIFIED_CHINESE.has(lower) || lower.startsWith('zh-hans-')) return 'zh-CN';
  return null;
}

const SIMPLIFIED_CHINESE = new Set(['zh', 'zh-cn', 'zh-sg', 'zh-my', 'zh-hans']);

export function isLocale(value: unknown): value is Locale {
  return (SUPPORTED_LOCALES as readonly unknown[]).includes(value);
}
