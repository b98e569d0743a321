import { passwordProblemMessage } from '../views/password-problem-message.js';
import { describeWait } from '../i18n/wait.js';
import { renderAccountMail, type AccountMail } from '../mail/account-mails.js';
import type { PasswordProblem } from '../users/password-policy.js';
import {
  forgotPasswordPage,
  setPasswordPage,
  signupPage,
  verifyEmailPage,
} from '../views/account-pages.js';
import type { PageFrame } from '../views/html.js';
import { messagePage } from '../views/message-page.js';

/** The data an account page or mail shows besides its sentences (see pages-i18n.test.ts). */
export const ACCOUNT_DATA = [
  'http://idp.localhost:4000/reset-password?token=TOKEN',
  'http://idp.localhost:4000/forgot-password',
  'alice@example.com',
  '2026-12-03 13:32 UTC',
];

const PROBLEMS: PasswordProblem[] = [
  'too_short',
  'too_long',
  'invalid_characters',
  'common',
  'contains_username',
];

/** Every page and email of the account wing, as its routes render them, in `frame`'s language. */
export function accountLinkPages(frame: PageFrame): Array<[string, string]> {
  const { t } = frame;
  const form = { csrfToken: 'C'.repeat(43) };
  const password = {
    ...form,
    token: 'T'.repeat(43),
    username: 'alice',
    minLength: 8,
    recommendedLength: 15,
  };
  const link = ACCOUNT_DATA[0]!;
  const forgot = ACCOUNT_DATA[1]!;
  const mails: AccountMail[] = [
    { kind: 'password_reset', username: 'alice', link },
    { kind: 'invitation', username: 'alice', link },
    { kind: 'email_verification', username: 'alice', link },
    { kind: 'already_registered', username: 'alice', link: forgot },
    {
      kind: 'password_changed',
      username: 'alice',
      link: forgot,
      at: new Date('2026-12-03T13:32:00Z'),
    },
  ];
  const message = (
    title: Parameters<typeof messagePage>[1]['title'],
    text: string,
    advice?: 'mail.sent.advice' | 'link.invalid.advice',
  ) => messagePage(frame, { title, message: text, ...(advice && { advice }) });
  return [
    ['forgot password', forgotPasswordPage(frame, form)],
    [
      'forgot: bad email',
      forgotPasswordPage(frame, {
        ...form,
        error: t.text('account.error.invalidEmail'),
        email: 'x',
      }),
    ],
    [
      'forgot: expired form',
      forgotPasswordPage(frame, { ...form, error: t.text('form.error.expired') }),
    ],
    [
      'forgot: sent',
      message('forgot.sent.title', t.text('forgot.sent.message'), 'mail.sent.advice'),
    ],
    [
      'forgot: limited',
      message(
        'forgot.title',
        t.text('error.tooManyRequests.message', { wait: describeWait(t, 600) }),
      ),
    ],
    ['reset', setPasswordPage(frame, { ...password, invitation: false })],
    ['invitation', setPasswordPage(frame, { ...password, invitation: true })],
    [
      'reset: mismatch',
      setPasswordPage(frame, {
        ...password,
        invitation: false,
        error: t.text('reset.error.mismatch'),
      }),
    ],
    ...PROBLEMS.map((problem): [string, string] => [
      `reset: ${problem}`,
      setPasswordPage(frame, {
        ...password,
        invitation: false,
        error: passwordProblemMessage(t, problem),
      }),
    ]),
    ['reset: done', message('reset.done.title', t.text('reset.done.message'))],
    [
      'link invalid',
      message('link.invalid.title', t.text('link.invalid.message'), 'link.invalid.advice'),
    ],
    ['verify', verifyEmailPage(frame, { ...form, token: 'T'.repeat(43), username: 'alice' })],
    ['verify: done', message('verify.done.title', t.text('verify.done.message'))],
    ['signup', signupPage(frame, { ...form, minLength: 8, recommendedLength: 15 })],
    ...(['signup.error.invalidUsername', 'signup.error.usernameTaken'] as const).map(
      (key): [string, string] => [
        key,
        signupPage(frame, {
          ...form,
          minLength: 8,
          recommendedLength: 15,
          username: 'alice',
          error: t.text(key),
        }),
      ],
    ),
    [
      'signup: sent',
      message(
        'signup.sent.title',
        t.text('signup.sent.message', { email: 'alice@example.com' }),
        'mail.sent.advice',
      ),
    ],
    [
      'login: not verified',
      messagePage(frame, { title: 'login.title', message: t.text('login.error.notVerified') }),
    ],
    ...mails.map((mail): [string, string] => {
      const rendered = renderAccountMail(mail, 'alice@example.com', t);
      // The subject and the plain text are checked as the HTML is: shown in a page of their own.
      return [
        `mail ${mail.kind}`,
        `${rendered.html}<p>${rendered.subject}</p><pre>${rendered.text}</pre>`,
      ];
    }),
  ];
}
