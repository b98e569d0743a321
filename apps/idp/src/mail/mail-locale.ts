import { AsyncLocalStorage } from 'node:async_hooks';
import type { Locale } from '../i18n/locales.js';

const current = new AsyncLocalStorage<Locale>();

/**
 * The language of the mails `work` causes. The account lifecycle tells its notifier only
 * which user changed; the page that made the change knows the reader's language at that
 * moment, and runs the change inside this, so the "password changed" notice speaks it.
 */
export function inMailLocale<T>(locale: Locale, work: () => Promise<T>): Promise<T> {
  return current.run(locale, work);
}

/** The language set by `inMailLocale`, or English for changes made elsewhere (the CLI). */
export function mailLocale(): Locale {
  return current.getStore() ?? 'en';
}
