import { accountPage } from '../account/account-view.js';
import { formatTime, renderAccountMail, type SecondFactorChange } from '../mail/account-mails.js';
import { secondFactorPage } from '../mfa/second-factor-view.js';
import { enrolTotpPage, recoveryCodesPage, twoFactorPage } from '../mfa/two-factor-view.js';
import { describeWait } from '../i18n/wait.js';
import { mfaRequiredPage } from '../oauth/authorize/mfa-required-page.js';
import type { PageFrame } from '../views/html.js';

/** The data the second-factor pages below show: a TOTP key and recovery codes. */
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const CODES = ['abcd-efgh-jkmn-pqrs', 'tvwx-yz01-2345-6789'];
const AT = new Date(Date.UTC(2026, 0, 1));
export const MFA_DATA = [SECRET, SECRET.replace(/(.{4})(?=.)/g, '$1 '), ...CODES, formatTime(AT)];

/** Every page and mail of the second factors (mfa/), for views/pages-i18n.test.ts. */
export function mfaPages(frame: PageFrame): Array<[string, string]> {
  const { t } = frame;
  const step = { step: 'S'.repeat(43), csrfToken: 'C'.repeat(43), codes: true };
  const csrfToken = 'C'.repeat(43);
  const profile = { username: 'alice', roles: [], createdAt: Date.UTC(2026, 0, 1) };
  const changes: SecondFactorChange[] = [
    'totp_added',
    'totp_removed',
    'recovery_regenerated',
    'reset',
  ];
  return [
    ['second factor', secondFactorPage(frame, { ...step, passkeys: false })],
    [
      'second factor, step-up, passkey',
      secondFactorPage(frame, { ...step, passkeys: true, stepUpClient: 'Acme Shop' }),
    ],
    ...[
      t.text('mfa.step.error.wrong'),
      t.text('mfa.step.error.missing'),
      t.text('mfa.step.error.tooMany', { wait: describeWait(t, 900) }),
    ].map((error, i): [string, string] => [
      `second factor error ${i}`,
      secondFactorPage(frame, { ...step, passkeys: false, error }),
    ]),
    ['mfa required', mfaRequiredPage(frame, 'Acme Shop')],
    ['mfa required, then continue', mfaRequiredPage(frame, 'Acme Shop', '/authorize?x=1')],
    ['two-factor off', twoFactorPage(frame, { csrfToken, totp: false, recoveryCodesLeft: 0 })],
    [
      'two-factor on',
      twoFactorPage(frame, {
        csrfToken,
        totp: true,
        recoveryCodesLeft: 7,
        notice: 'mfa.done.totpRemoved',
        error: t.text('mfa.account.removeRefused'),
      }),
    ],
    ['enrol', enrolTotpPage(frame, { csrfToken, secret: SECRET, qrSvg: '<svg/>' })],
    [
      'enrol error',
      enrolTotpPage(frame, {
        csrfToken,
        secret: SECRET,
        qrSvg: '<svg/>',
        error: t.text('mfa.enrol.error.wrong'),
      }),
    ],
    ['recovery codes', recoveryCodesPage(frame, { codes: CODES, notice: 'mfa.done.totpAdded' })],
    [
      'account with two-factor off',
      accountPage(frame, { csrfToken, profile, sessions: [], twoFactor: { totp: false } }),
    ],
    [
      'account with two-factor on',
      accountPage(frame, { csrfToken, profile, sessions: [], twoFactor: { totp: true } }),
    ],
    ...changes.map((change): [string, string] => {
      const mail = renderAccountMail(
        {
          kind: 'second_factor_changed',
          change,
          username: 'alice',
          link: 'http://idp.localhost:4000/forgot-password',
          at: AT,
        },
        'alice@example.com',
        t,
      );
      return [`mail ${change}`, `${mail.html}<p>${mail.subject}</p><pre>${mail.text}</pre>`];
    }),
  ];
}
