import nodemailer from 'nodemailer';
import type { MailConfig } from '../config/mail-config.js';
import type { MailMessage, MailTransport } from './mail-message.js';

/** Seconds an SMTP server gets at each step before the attempt counts as failed (and retried). */
const TIMEOUTS_MS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 };

/**
 * SMTP through nodemailer: `smtp://` uses STARTTLS when the server offers it, `smtps://`
 * TLS from the first byte; credentials in the URL. A pool of at most two connections: mail
 * is a trickle (resets, notices), and a burst waits in the outbox instead of opening more.
 */
export function createSmtpTransport(config: MailConfig): MailTransport {
  const url = new URL(config.smtpUrl);
  const transporter = nodemailer.createTransport({
    pool: true,
    maxConnections: 2,
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 587)),
    secure: url.protocol === 'smtps:',
    ...(url.username !== '' && {
      auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) },
    }),
    ...TIMEOUTS_MS,
    // Never log message content: it carries single-use links.
    logger: false,
    debug: false,
  });
  return {
    async send(message: MailMessage) {
      await transporter.sendMail({
        from: config.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        headers: { 'Content-Language': message.language },
        // No tracking, no remote content: the HTML is self-contained.
        disableFileAccess: true,
        disableUrlAccess: true,
      });
    },
    close: () => transporter.close(),
  };
}

/** An SMTP answer in the 5xx range: the server refused for good (no such mailbox, policy). */
export function isPermanentMailFailure(error: unknown): boolean {
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}
