import type { MessageKey, MessageParams } from './catalogue.js';
import { CATALOGUES } from './catalogues.js';
import type { Locale } from './locales.js';

/** The messages of one locale, for one page render. */
export interface Translator {
  readonly locale: Locale;
  /** The message as plain text with its placeholders filled; the page renderer escapes it. */
  text<K extends MessageKey>(key: K, ...params: MessageParams<K>): string;
  /** The raw message, for a renderer that fills placeholders with markup (see `fill`). */
  template(key: MessageKey): string;
}

export function translator(locale: Locale): Translator {
  const catalogue = CATALOGUES[locale];
  return {
    locale,
    text: (key, ...params) => {
      const values: Readonly<Record<string, string | number>> = params[0] ?? {};
      return fill(catalogue[key], (name) =>
        Object.hasOwn(values, name) ? String(values[name]) : undefined,
      );
    },
    template: (key) => catalogue[key],
  };
}

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9]*)\}/g;

/**
 * Replaces each `{name}` by `value(name)`; the text around them goes through `literal` (HTML
 * escaping, for a renderer that puts markup in a placeholder). A placeholder without a value
 * stays visible as written rather than vanishing: the catalogue test catches the cause.
 */
export function fill(
  template: string,
  value: (name: string) => string | undefined,
  literal: (text: string) => string = (text) => text,
): string {
  let out = '';
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1]!;
    out += literal(template.slice(last, match.index)) + (value(name) ?? literal(match[0]));
    last = match.index + match[0].length;
  }
  return out + literal(template.slice(last));
}

/** The placeholder names of a message, for the catalogue test. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((match) => match[1]!).sort();
}
