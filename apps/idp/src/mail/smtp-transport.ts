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
        // A copy: nodemailer writes into the address object, and the config is frozen.
        from: { name: config.from.name ?? '', address: config.from.address },
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

/**
 * Whether trying again may help: a network or protocol failure (nodemailer gives those a
 * string `code`: ECONNECTION, ETIMEDOUT, ESOCKET…) or a temporary SMTP refusal (4xx). Not an
 * SMTP 5xx (the server refused for good: no such mailbox, policy), nor an exception without a
 * code, which is a bug that would fail the same way every time.
 */
export function isRetryableMailFailure(error: unknown): boolean {
  const { code, responseCode } = (error ?? {}) as { code?: unknown; responseCode?: unknown };
  if (typeof responseCode === 'number') return responseCode >= 400 && responseCode < 500;
  return typeof code === 'string';
}
