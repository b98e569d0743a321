import { renderPasskeyMail } from '../mail/passkey-notice.js';
import { passkeysPage } from '../passkeys/passkey-account-view.js';
import { passkeySecondFactorPage } from '../passkeys/passkey-login-view.js';
import { MAX_PASSKEY_NAME_LENGTH, type Passkey } from '../passkeys/passkey-repository.js';
import type { PageFrame } from '../views/html.js';
import { loginPage } from '../views/login-page.js';

/** The data the passkey pages and mails show besides their sentences (pages-i18n.test.ts). */
export const PASSKEY_DATA = [
  'Pixel',
  'YubiKey',
  'http://idp.localhost:4000/account/passkeys',
  '2026-12-03 13:30 UTC',
];

/** Every passkey page and mail, with each notice and error, in `frame`'s language. */
export function passkeyPages(frame: PageFrame): Array<[string, string]> {
  const { t } = frame;
  const at = new Date(Date.UTC(2026, 11, 3, 13, 30));
  const passkey = (name: string, backupEligible: boolean, lastUsedAt: Date | null): Passkey => ({
    credentialId: name.toLowerCase(),
    userId: 'u1',
    publicKey: 'cGs',
    counter: 0,
    transports: ['internal'],
    backupEligible,
    backedUp: backupEligible,
    name,
    createdAt: at,
    lastUsedAt,
  });
  const passkeys = [passkey('Pixel', true, at), passkey('YubiKey', false, null)];
  const enrolment = { handle: 'H'.repeat(43), optionsJson: '{"challenge":"c"}' };
  const base = { csrfToken: 'C'.repeat(43), passkeys, enrolment };
  const errors = [
    t.text('account.passkeys.error.refused'),
    t.text('account.passkeys.error.duplicate'),
    t.text('account.passkeys.error.name', { max: MAX_PASSKEY_NAME_LENGTH }),
    t.text('account.passkeys.error.notFound'),
    t.text('account.passkeys.error.lastFactor'),
  ];
  const notices = [
    'account.done.passkeyAdded',
    'account.done.passkeyRenamed',
    'account.done.passkeyRemoved',
  ] as const;
  const mail = (change: 'added' | 'removed') =>
    renderPasskeyMail(
      { change, name: 'Pixel', username: 'alice', at },
      'http://idp.localhost:4000/account/passkeys',
      'alice@example.com',
      t,
    ).html;
  const login = { authz: 'A'.repeat(43), csrfToken: 'C'.repeat(43), clientName: 'Acme Shop' };
  return [
    ['passkeys', passkeysPage(frame, base)],
    [
      'passkeys, none, login too old',
      passkeysPage(frame, { ...base, passkeys: [], enrolment: undefined }),
    ],
    ...errors.map((error, i): [string, string] => [
      `passkeys error ${i}`,
      passkeysPage(frame, { ...base, error }),
    ]),
    ...notices.map((notice): [string, string] => [
      `passkeys notice ${notice}`,
      passkeysPage(frame, { ...base, notice }),
    ]),
    ['login with a passkey', loginPage(frame, { ...login, passkey: enrolment })],
    [
      'passkey sign-in refused',
      loginPage(frame, { ...login, passkey: enrolment, error: t.text('login.passkey.refused') }),
    ],
    [
      'passkey second factor',
      passkeySecondFactorPage(frame, {
        step: 'S'.repeat(43),
        csrfToken: 'C'.repeat(43),
        username: 'alice',
        ceremony: enrolment,
        error: t.text('login.passkey.refused'),
      }),
    ],
    ['passkey added mail', mail('added')],
    ['passkey removed mail', mail('removed')],
  ];
}
