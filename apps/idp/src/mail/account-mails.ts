import type { PlainMessageKey } from '../i18n/catalogue.js';
import type { Translator } from '../i18n/translate.js';
import { escapeHtml } from '../views/html.js';
import type { MailMessage } from './mail-message.js';

/** The emails of the account wing; `link` is always built from ISSUER by the caller. */
export type AccountMail =
  | { kind: 'password_reset' | 'invitation' | 'email_verification'; username: string; link: string }
  /** `link`: the forgot-password page. */
  | { kind: 'already_registered'; username: string; link: string }
  /** `link`: the forgot-password page. */
  | { kind: 'password_changed'; username: string; link: string; at: Date }
  /** A second factor was added, removed or reset (mfa/); `link`: the forgot-password page. */
  | {
      kind: 'second_factor_changed';
      change: SecondFactorChange;
      username: string;
      link: string;
      at: Date;
    };

/** What happened to a user's second factors, for the notice. */
export type SecondFactorChange = 'totp_added' | 'totp_removed' | 'recovery_regenerated' | 'reset';

const CHANGE_SENTENCES = {
  totp_added: 'mail.mfaChanged.totpAdded',
  totp_removed: 'mail.mfaChanged.totpRemoved',
  recovery_regenerated: 'mail.mfaChanged.recoveryRegenerated',
  reset: 'mail.mfaChanged.reset',
} as const satisfies Record<SecondFactorChange, string>;

interface Layout {
  subject: PlainMessageKey;
  body: PlainMessageKey;
  action: PlainMessageKey;
  /** What follows the button. */
  note: PlainMessageKey;
}

const LAYOUTS: Record<AccountMail['kind'], Layout> = {
  password_reset: {
    subject: 'mail.reset.subject',
    body: 'mail.reset.body',
    action: 'mail.reset.action',
    note: 'mail.linkNote',
  },
  invitation: {
    subject: 'mail.invite.subject',
    body: 'mail.invite.body',
    action: 'mail.invite.action',
    note: 'mail.linkNote',
  },
  email_verification: {
    subject: 'mail.verify.subject',
    body: 'mail.verify.body',
    action: 'mail.verify.action',
    note: 'mail.linkNote',
  },
  already_registered: {
    subject: 'mail.alreadyRegistered.subject',
    body: 'mail.alreadyRegistered.body',
    action: 'mail.alreadyRegistered.action',
    note: 'mail.alreadyRegistered.note',
  },
  password_changed: {
    subject: 'mail.passwordChanged.subject',
    // Has a {time}: rendered on its own in renderAccountMail.
    body: 'mail.passwordChanged.note',
    action: 'mail.alreadyRegistered.action',
    note: 'mail.linkNote',
  },
  second_factor_changed: {
    subject: 'mail.mfaChanged.subject',
    body: 'mail.mfaChanged.note',
    action: 'mail.alreadyRegistered.action',
    note: 'mail.linkNote',
  },
};

/**
 * One email in `locale`, as plain text and as simple HTML (one button, no images, no remote
 * content, no tracking). Every sentence comes from the catalogue; the username and the link
 * are data, escaped in the HTML.
 */
export function renderAccountMail(mail: AccountMail, to: string, t: Translator): MailMessage {
  const layout = LAYOUTS[mail.kind];
  const subject = t.text(layout.subject);
  const paragraphs =
    mail.kind === 'password_changed'
      ? [
          t.text('mail.passwordChanged.body', { time: formatTime(mail.at) }),
          t.text('mail.passwordChanged.note'),
        ]
      : mail.kind === 'second_factor_changed'
        ? [
            t.text(CHANGE_SENTENCES[mail.change], { time: formatTime(mail.at) }),
            t.text('mail.mfaChanged.note'),
          ]
        : [t.text(layout.body)];
  const notice = mail.kind === 'password_changed' || mail.kind === 'second_factor_changed';
  const closing = notice ? [] : [t.text(layout.note)];
  const greeting = t.text('mail.greeting', { username: mail.username });
  const text = [
    greeting,
    '',
    ...paragraphs.flatMap((paragraph) => [paragraph, '']),
    mail.link,
    '',
    ...closing.flatMap((paragraph) => [paragraph, '']),
    '-- ',
    'Latchkey',
    '',
  ].join('\n');
  return {
    to,
    subject,
    text,
    html: html(t, subject, greeting, paragraphs, layout, mail.link, closing),
    language: t.locale,
  };
}

function html(
  t: Translator,
  subject: string,
  greeting: string,
  paragraphs: string[],
  layout: Layout,
  link: string,
  closing: string[],
): string {
  const p = (text: string) => `<p>${escapeHtml(text)}</p>`;
  const href = escapeHtml(link);
  return `<!doctype html>
<html lang="${t.locale}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(subject)}</title></head>
<body style="font-family: system-ui, sans-serif; line-height: 1.5; max-width: 36rem; margin: 1.5rem auto; padding: 0 1rem; color: #1a1a1a">
${p(greeting)}
${paragraphs.map(p).join('\n')}
<p><a href="${href}" style="display: inline-block; padding: 0.6rem 1.2rem; background: #1f4fd1; color: #ffffff; border-radius: 6px; text-decoration: none">${escapeHtml(t.text(layout.action))}</a></p>
<p style="font-size: 0.9em; color: #555">${escapeHtml(t.text('mail.copyLink'))}<br><span style="word-break: break-all">${href}</span></p>
${closing.map(p).join('\n')}
<p style="font-size: 0.9em; color: #555">Latchkey</p>
</body>
</html>
`;
}

/** `2026-12-03 13:32 UTC`: the same in every language, unambiguous in both. */
export function formatTime(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
