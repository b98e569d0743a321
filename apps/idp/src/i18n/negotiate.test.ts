import { describe, expect, it } from 'vitest';
import { matchLocale } from './locales.js';
import { firstSupported, fromAcceptLanguage, negotiateLocale } from './negotiate.js';

describe('matchLocale: BCP 47 tags', () => {
  it.each([
    ['en', 'en'],
    ['EN-gb', 'en'],
    ['zh', 'zh-CN'],
    ['zh-cn', 'zh-CN'],
    ['zh-Hans', 'zh-CN'],
    ['zh-Hans-CN', 'zh-CN'],
    ['zh-SG', 'zh-CN'],
    ['zh-TW', null],
    ['zh-Hant', null],
    ['zh-HK', null],
    ['fr', null],
    ['english', null],
    ['', null],
    ['*', null],
  ])('%j → %j', (tag, locale) => {
    expect(matchLocale(tag)).toBe(locale);
  });
});

describe('negotiateLocale: the order of preferences', () => {
  const all = { uiLocales: 'zh-CN', cookie: 'en', acceptLanguage: 'zh-CN' };

  it('OIDC ui_locales beats the cookie, which beats Accept-Language', () => {
    expect(negotiateLocale(all)).toBe('zh-CN');
    expect(negotiateLocale({ ...all, uiLocales: undefined })).toBe('en');
    expect(negotiateLocale({ ...all, uiLocales: undefined, cookie: undefined })).toBe('zh-CN');
  });

  it('an explicit choice (switcher, or the form shown) beats ui_locales', () => {
    expect(negotiateLocale({ ...all, chosen: 'en' })).toBe('en');
  });

  it('nothing readable → English', () => {
    expect(negotiateLocale({})).toBe('en');
    expect(negotiateLocale({ uiLocales: 'fr de', cookie: 'klingon', acceptLanguage: 'ja' })).toBe(
      'en',
    );
  });

  it('an unsupported value at one level lets the next decide', () => {
    expect(negotiateLocale({ uiLocales: 'fr-CA', cookie: 'xx', acceptLanguage: 'zh' })).toBe(
      'zh-CN',
    );
  });
});

describe('ui_locales (OIDC Core 3.1.2.1): space-separated, first supported wins', () => {
  it.each([
    ['zh-CN en', 'zh-CN'],
    ['fr-CA zh-Hans en', 'zh-CN'],
    ['  en   zh-CN ', 'en'],
    ['fr de', null],
    ['', null],
  ])('%j → %j', (list, locale) => {
    expect(firstSupported(list)).toBe(locale);
  });
});

describe('Accept-Language (RFC 9110 12.5.4)', () => {
  it.each([
    ['zh-CN,zh;q=0.9,en;q=0.8', 'zh-CN'],
    ['en;q=0.5, zh-CN;q=0.9', 'zh-CN'],
    ['zh-CN;q=0.4, en-US;q=0.6', 'en'],
    ['fr-FR, fr;q=0.9, zh;q=0.2', 'zh-CN'],
    ['zh-TW, zh-HK;q=0.9, en;q=0.1', 'en'],
    // Equal weights keep the sender's order.
    ['zh-CN;q=0.8, en;q=0.8', 'zh-CN'],
    // q=0: "not this one", even when listed first or matched by a wildcard.
    ['zh-CN;q=0, en', 'en'],
    ['*, en;q=0', 'zh-CN'],
    ['*', 'en'],
    ['fr', null],
  ])('%j → %j', (header, locale) => {
    expect(fromAcceptLanguage(header)).toBe(locale);
  });

  it.each([
    ['zh-CN;q=2, en;q=0.5', 'en'],
    ['zh-CN;q=abc, en;q=0.1', 'en'],
    ['zh-CN;q=0.12345, en;q=0.1', 'en'],
    [';;;,,,=,q=,', null],
    ['\u0000zh-CN\u0000', null],
    ['zh-CN;Q=0.9', 'zh-CN'],
  ])('malformed %j → %j, never a throw', (header, locale) => {
    expect(fromAcceptLanguage(header)).toBe(locale);
  });

  it('a 10 KB header is read only so far: no crash, no quadratic work', () => {
    const huge = `${'x-junk;q=0.1, '.repeat(800)}zh-CN`;
    expect(huge.length).toBeGreaterThan(10_000);
    const started = performance.now();
    expect(fromAcceptLanguage(huge)).toBeNull();
    expect(negotiateLocale({ acceptLanguage: huge, uiLocales: huge, cookie: huge })).toBe('en');
    expect(fromAcceptLanguage(`zh-CN, ${'a'.repeat(10_240)}`)).toBe('zh-CN');
    expect(performance.now() - started).toBeLessThan(50);
  });
});
