import { describe, expect, it } from 'vitest';
import { en } from './catalogue-en.js';
import type { Catalogue } from './catalogue.js';
import { CATALOGUES } from './catalogues.js';
import { SUPPORTED_LOCALES } from './locales.js';
import { placeholders, translator } from './translate.js';

// Type level: `pnpm typecheck` fails if a catalogue may lack a key or carry an unknown one,
// or if a message may be asked for without its parameters.
// @ts-expect-error a translation missing a key is not a Catalogue
const missingKey: Catalogue = { 'language.label': 'Language' };
// @ts-expect-error nor is one with a key the English catalogue does not have
const extraKey: Catalogue = { ...en, 'login.nonsense': 'x' };
// @ts-expect-error a message with a placeholder needs its value
const missingParam = () => translator('en').text('login.continueTo');
void [missingKey, extraKey, missingParam];

const englishKeys = Object.keys(en).sort();

describe('the message catalogues', () => {
  it.each(SUPPORTED_LOCALES)(
    '%s has exactly the English keys, each a non-empty sentence',
    (locale) => {
      const catalogue: Record<string, unknown> = CATALOGUES[locale];
      expect(Object.keys(catalogue).sort()).toEqual(englishKeys);
      for (const key of englishKeys) {
        expect(typeof catalogue[key], key).toBe('string');
        expect((catalogue[key] as string).trim(), key).not.toBe('');
      }
    },
  );

  it.each(SUPPORTED_LOCALES)(
    '%s uses the same {placeholders} as English in every message',
    (locale) => {
      const catalogue: Record<string, string> = CATALOGUES[locale];
      for (const key of englishKeys) {
        expect(placeholders(catalogue[key]!), key).toEqual(
          placeholders(en[key as keyof typeof en]),
        );
      }
    },
  );

  it('zh-CN is a translation: every message has Chinese characters, none is left in English', () => {
    const zh: Record<string, string> = CATALOGUES['zh-CN'];
    for (const key of englishKeys) {
      expect(zh[key], key).toMatch(/\p{Script=Han}/u);
      expect(zh[key], key).not.toBe(en[key as keyof typeof en]);
    }
  });

  it('fills placeholders and leaves the text otherwise as written', () => {
    const t = translator('zh-CN');
    expect(t.text('wait.seconds', { count: 30 })).toBe('30 秒');
    expect(translator('en').text('login.continueTo', { client: '<b>Shop</b>' })).toBe(
      'to continue to <b>Shop</b>',
    );
  });
});
