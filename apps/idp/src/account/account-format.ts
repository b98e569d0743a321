import type { Locale } from '../i18n/locales.js';

const formats = new Map<Locale, Intl.DateTimeFormat>();

/**
 * A moment as the page's language writes it, in UTC: the server does not know the reader's
 * time zone, and the page says the times are UTC rather than guessing.
 */
export function formatTime(locale: Locale, epochMs: number): string {
  let format = formats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: 'UTC',
      hourCycle: 'h23',
    });
    formats.set(locale, format);
  }
  return format.format(epochMs);
}

/** The machine-readable moment for `<time datetime>`. */
export function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
