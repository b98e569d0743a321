import type { Config } from '../config/config.js';
import type { Logger } from '../logger.js';
import { createAccountMailer, type AccountMailer } from './account-mailer.js';
import type { MailTransport } from './mail-message.js';
import { createOutbox, type Outbox, type OutboxOptions } from './outbox.js';
import { createSmtpTransport } from './smtp-transport.js';

export interface Mail {
  outbox: Outbox;
  mailer: AccountMailer;
}

/** The IdP's outgoing mail: SMTP (SMTP_URL, MAIL_FROM) behind the retrying outbox. */
export function createMail(
  config: Config,
  logger: Logger,
  options: { transport?: MailTransport; outbox?: OutboxOptions } = {},
): Mail {
  const outbox = createOutbox(
    options.transport ?? createSmtpTransport(config.mail),
    logger,
    options.outbox,
  );
  return { outbox, mailer: createAccountMailer(outbox) };
}
