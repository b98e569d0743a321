import { describe, expect, it } from 'vitest';
import { en } from '../i18n/catalogue-en.js';
import type { MessageKey } from '../i18n/catalogue.js';
import { LOCALE_NAMES, SUPPORTED_LOCALES, type Locale } from '../i18n/locales.js';
import { translator, type Translator } from '../i18n/translate.js';
import { describeWait } from '../i18n/wait.js';
import { confirmPage, logoutErrorPage, signedOutPage } from '../oauth/logout/logout-pages.js';
import { accountPage, type SessionRow } from '../account/account-view.js';
import { NOTICES } from '../account/overview-route.js';
import { passwordPage } from '../account/password-view.js';
import { refusedPage } from '../account/refused-view.js';
import type { PageFrame } from './html.js';
import { loginPage } from './login-page.js';
import { messagePage } from './message-page.js';
import { accountLinkPages, ACCOUNT_DATA } from '../test-support/account-link-pages-i18n.js';
import { mfaPages, MFA_DATA } from '../test-support/mfa-pages-i18n.js';
import { passkeyPages, PASSKEY_DATA } from '../test-support/passkey-pages-i18n.js';
import { devicePages, DEVICE_DATA } from '../test-support/device-pages-i18n.js';
import { consentPages, CONSENT_DATA } from '../test-support/consent-pages-i18n.js';

/**
 * The only visible words a page may show that are not from its catalogue: the product's name,
 * the languages' own names in the switcher, and the data of this render (a client's
 * registered name, a username typed by the person).
 */
const PROPER_NAMES = ['Latchkey', ...Object.values(LOCALE_NAMES)];
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
const DATA = [
  ...ACCOUNT_DATA,
  ...MFA_DATA,
  ...PASSKEY_DATA,
  ...DEVICE_DATA,
  ...CONSENT_DATA,
  FIREFOX,
  'Alice Liddell',
  'alice@example.com',
  'Firefox',
  'Safari',
  'Linux',
  'Acme Shop',
  'alice',
];

/** A translator that notes every message asked for, to prove every key is rendered below. */
function recordingFrame(locale: Locale, used: Set<MessageKey>): PageFrame {
  const inner = translator(locale);
  const t: Translator = {
    locale,
    text: (key, ...params) => {
      used.add(key);
      return inner.text(key, ...params);
    },
    template: (key) => {
      used.add(key);
      return inner.template(key);
    },
  };
  return { t, languageHref: (other) => `/here?lang=${other}` };
}

/** Every page the IdP shows, as its routes render it. */
function everyPage(frame: PageFrame): Array<[string, string]> {
  const { t } = frame;
  const form = { authz: 'A'.repeat(43), csrfToken: 'C'.repeat(43), clientName: 'Acme Shop' };
  const loginErrors = [
    t.text('login.error.wrongCredentials'),
    t.text('login.error.missingFields'),
    t.text('login.error.formExpired'),
    t.text('login.error.busy'),
    t.text('login.error.tooManyAttempts', { wait: describeWait(t, 1) }),
    t.text('login.error.tooManyAttempts', { wait: describeWait(t, 42) }),
    t.text('login.error.tooManyAttempts', { wait: describeWait(t, 60) }),
    t.text('login.error.tooManyAttempts', { wait: describeWait(t, 900) }),
  ];
  const detail = 'invalid_client: The application is not registered here.';
  return [
    ['login', loginPage(frame, form)],
    ...loginErrors.map((error, i): [string, string] => [
      `login error ${i}`,
      loginPage(frame, { ...form, username: 'alice', error }),
    ]),
    [
      'sign-in expired',
      messagePage(frame, {
        title: 'login.expired.title',
        message: t.text('login.expired.message'),
      }),
    ],
    [
      'authorize refusal',
      messagePage(frame, {
        title: 'error.cannotSignIn.title',
        message: t.text('error.invalidRequest.message'),
        detail,
      }),
    ],
    [
      'bad request',
      messagePage(frame, {
        title: 'error.cannotSignIn.title',
        message: t.text('error.badRequest.message'),
        detail,
      }),
    ],
    [
      'too many requests',
      messagePage(frame, {
        title: 'error.cannotSignIn.title',
        message: t.text('error.tooManyRequests.message', { wait: describeWait(t, 30) }),
      }),
    ],
    [
      'unavailable',
      messagePage(frame, {
        title: 'error.unavailable.title',
        message: t.text('error.unavailable.message'),
      }),
    ],
    [
      'internal error',
      messagePage(frame, {
        title: 'error.internal.title',
        message: t.text('error.internal.message'),
      }),
    ],
    ['signed out', signedOutPage(frame)],
    ['logout confirmation', confirmPage(frame, { csrf: 'x', clientId: 'shop', state: 's' })],
    ['logout refused', logoutErrorPage(frame, 'unknown client_id')],
    ...accountPages(frame),
    ...accountLinkPages(frame),
    ...mfaPages(frame),
    ...passkeyPages(frame),
    ...devicePages(frame),
    ...consentPages(frame),
  ];
}

/** The account pages (account/), with every notice, error and kind of device. */
function accountPages(frame: PageFrame): Array<[string, string]> {
  const { t } = frame;
  const at = Date.UTC(2026, 11, 3, 13, 30);
  const session = (row: Partial<SessionRow>): SessionRow => ({
    handle: 'H'.repeat(22),
    current: false,
    device: {},
    createdAt: at,
    lastSeenAt: at,
    apps: [],
    ...row,
  });
  const sessions = [
    session({
      current: true,
      device: { browser: 'Firefox', os: 'Linux' },
      userAgent: FIREFOX,
      address: '192.0.2.10',
      apps: ['Acme Shop'],
    }),
    session({ device: { browser: 'Safari' }, address: '192.0.2.11' }),
    session({}),
  ];
  const profile = {
    username: 'alice',
    name: 'Alice Liddell',
    email: 'alice@example.com',
    roles: ['admin'],
    createdAt: at,
  };
  const form = { csrfToken: 'C'.repeat(43), username: 'alice' };
  const passwordErrors = [
    t.text('account.password.error.wrongCurrent'),
    t.text('account.password.error.missing'),
    t.text('account.password.error.mismatch'),
  ];
  const login = { authz: 'A'.repeat(43), csrfToken: 'C'.repeat(43) };
  return [
    ['account', accountPage(frame, { csrfToken: form.csrfToken, profile, sessions })],
    [
      'account, nothing set',
      accountPage(frame, {
        csrfToken: form.csrfToken,
        profile: { username: 'alice', roles: [], createdAt: at },
        sessions: [sessions[0]!],
      }),
    ],
    ...Object.values(NOTICES).map((notice): [string, string] => [
      `account notice ${notice}`,
      accountPage(frame, { csrfToken: form.csrfToken, profile, sessions, notice }),
    ]),
    ['password', passwordPage(frame, form)],
    ...passwordErrors.map((error, i): [string, string] => [
      `password error ${i}`,
      passwordPage(frame, { ...form, error, invalid: i === 0 ? 'current' : 'new' }),
    ]),
    ['account form refused', refusedPage(frame)],
    ['login for the account', loginPage(frame, { ...login, account: { reauth: false } })],
    [
      're-authentication',
      loginPage(frame, { ...login, account: { reauth: true }, username: 'alice' }),
    ],
  ];
}

/**
 * What a reader sees or hears: text content and the attributes browsers show or read out.
 * Left out: the stylesheet, and `<code lang="en">`, the protocol's own words (an RFC 6749
 * error code and description) for the application's developer, the same in every language.
 */
function visibleText(html: string): string {
  const attributes = [...html.matchAll(/\s(?:aria-label|title|placeholder|alt)="([^"]*)"/g)].map(
    (match) => match[1],
  );
  const text = html
    .replace(/<style[^>]*>[\s\S]*?<\/style>/g, ' ')
    .replace(/<code lang="en">[\s\S]*?<\/code>/g, ' ')
    .replace(/<[^>]+>/g, ' ');
  return [text, ...attributes]
    .join(' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function withoutNames(text: string): string {
  return [...PROPER_NAMES, ...DATA].reduce((rest, name) => rest.split(name).join(' '), text);
}

describe('every IdP page, in every language', () => {
  const used = new Set<MessageKey>();
  const rendered = new Map(
    SUPPORTED_LOCALES.map((locale) => [locale, everyPage(recordingFrame(locale, used))]),
  );

  it('renders every message of the catalogue somewhere (so the checks below see them all)', () => {
    const unused = Object.keys(en).filter((key) => !used.has(key as MessageKey));
    expect(unused).toEqual([]);
  });

  it.each(SUPPORTED_LOCALES)('%s: <html lang> names the locale', (locale) => {
    for (const [name, html] of rendered.get(locale)!) {
      expect(html, name).toContain(`<html lang="${locale}">`);
    }
  });

  it('zh-CN pages show no English: every Latin word left is a listed proper name or data', () => {
    for (const [name, html] of rendered.get('zh-CN')!) {
      const text = withoutNames(visibleText(html));
      expect(text.match(/[A-Za-z]{2,}/g) ?? [], name).toEqual([]);
      // The check is not vacuous: the page says something, in Chinese.
      expect(text, name).toMatch(/\p{Script=Han}{2,}/u);
    }
  });

  it('en pages show no Chinese outside the switcher, and say something in English', () => {
    for (const [name, html] of rendered.get('en')!) {
      const text = withoutNames(visibleText(html));
      expect(text.match(/\p{Script=Han}+/gu) ?? [], name).toEqual([]);
      expect(text, name).toMatch(/[A-Za-z]{3,}/);
    }
  });

  it('the switcher links every other language, named in itself, and marks the current one', () => {
    const [, html] = rendered.get('en')![0]!;
    expect(html).toContain('<span lang="en" aria-current="true">English</span>');
    expect(html).toContain('href="/here?lang=zh-CN" hreflang="zh-CN" lang="zh-CN">简体中文</a>');
  });

  it('keeps the hooks tests rely on in both languages (field names, CSRF, submit button)', () => {
    for (const locale of SUPPORTED_LOCALES) {
      const [, html] = rendered.get(locale)![0]!;
      for (const hook of [
        'name="username"',
        'name="password"',
        'name="csrf"',
        '<button type="submit">',
      ]) {
        expect(html, `${locale} ${hook}`).toContain(hook);
      }
    }
  });

  it('escapes data put into messages (a hostile client name stays text)', () => {
    const frame = recordingFrame('zh-CN', new Set());
    const html = loginPage(frame, {
      authz: 'a',
      csrfToken: 'c',
      clientName: '<img src=x onerror=alert(1)>',
    });
    expect(html).not.toContain('<img');
    expect(html).toContain('继续使用 <strong>&lt;img src=x onerror=alert(1)&gt;</strong>');
  });
});
