import type { Locale } from '../i18n/locales.js';
import { translator } from '../i18n/translate.js';
import { renderAccountMail, type AccountMail } from './account-mails.js';
import type { Outbox } from './outbox.js';

/** Renders an account email in the reader's language and hands it to the outbox. */
export interface AccountMailer {
  /** Never waits for the SMTP server; false when the outbox refused it (logged there). */
  send(mail: AccountMail, to: string, locale: Locale): boolean;
}

export function createAccountMailer(outbox: Outbox): AccountMailer {
  return {
    send: (mail, to, locale) =>
      outbox.enqueue(renderAccountMail(mail, to, translator(locale)), mail.kind),
  };
}
