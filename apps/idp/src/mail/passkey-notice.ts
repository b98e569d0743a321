import type { Locale } from '../i18n/locales.js';
import { translator, type Translator } from '../i18n/translate.js';
import type { User } from '../users/user.js';
import { escapeHtml } from '../views/html.js';
import { formatTime } from './account-mails.js';
import type { MailMessage } from './mail-message.js';
import type { Outbox } from './outbox.js';

export type PasskeyChange = 'added' | 'removed';

/** Tells the account's owner a passkey was added or removed (issue 12: "an email notice"). */
export interface PasskeyNotifier {
  passkeyChanged(
    user: Pick<User, 'username' | 'email'>,
    change: PasskeyChange,
    name: string,
    locale: Locale,
  ): void;
}

/**
 * Mailed to the account's address in the language of the page that made the change, queued
 * and never awaited (the change is made already; a mail server that is down must not undo
 * it). It links to the account page, where a passkey the owner does not know can be removed.
 */
export function passkeyNotice(deps: {
  outbox: Outbox;
  issuer: string;
  now: () => number;
}): PasskeyNotifier {
  return {
    passkeyChanged(user, change, name, locale) {
      if (!user.email) return;
      const message = renderPasskeyMail(
        { change, name, username: user.username, at: new Date(deps.now()) },
        `${deps.issuer}/account/passkeys`,
        user.email,
        translator(locale),
      );
      deps.outbox.enqueue(message, change === 'added' ? 'passkey_added' : 'passkey_removed');
    },
  };
}

export function renderPasskeyMail(
  mail: { change: PasskeyChange; name: string; username: string; at: Date },
  link: string,
  to: string,
  t: Translator,
): MailMessage {
  const added = mail.change === 'added';
  const subject = t.text(added ? 'mail.passkeyAdded.subject' : 'mail.passkeyRemoved.subject');
  const greeting = t.text('mail.greeting', { username: mail.username });
  const params = { name: mail.name, time: formatTime(mail.at) };
  const body = t.text(added ? 'mail.passkeyAdded.body' : 'mail.passkeyRemoved.body', params);
  const note = t.text('mail.passkey.note');
  const text = [greeting, '', body, '', note, link, '', '-- ', 'Latchkey', ''].join('\n');
  const p = (line: string) => `<p>${escapeHtml(line)}</p>`;
  const html = `<!doctype html>
<html lang="${t.locale}">
<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family: system-ui, sans-serif; line-height: 1.5; max-width: 36rem; margin: 1.5rem auto; padding: 0 1rem">
${p(greeting)}
${p(body)}
${p(note)}
<p><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p>
<p style="font-size: 0.9em; color: #555">Latchkey</p>
</body>
</html>
`;
  return { to, subject, text, html, language: t.locale };
}
