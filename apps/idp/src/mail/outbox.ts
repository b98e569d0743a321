import { randomBytes } from 'node:crypto';
import type { Logger } from '../logger.js';
import type { MailMessage, MailTransport } from './mail-message.js';
import { isRetryableMailFailure } from './smtp-transport.js';

/** What a mail is for, in log lines (never its address, never its link). */
export type MailKind =
  | 'password_reset'
  | 'invitation'
  | 'email_verification'
  | 'already_registered'
  | 'password_changed'
  | 'second_factor_changed'
  | 'passkey_added'
  | 'passkey_removed';

export interface OutboxOptions {
  /** Attempts per message, the first included. Default 6 (over about a minute and a half). */
  maxAttempts?: number;
  /** The wait before the second attempt, doubling after each failure. Default 1 s. */
  baseDelayMs?: number;
  /** The longest wait between two attempts. Default 60 s. */
  maxDelayMs?: number;
  /** Messages held at once (sending or waiting to retry); beyond it new ones are dropped. Default 1000. */
  maxQueued?: number;
}

/**
 * Mail leaves through here, never inline in a request: `enqueue` returns at once, so a slow
 * or absent SMTP server never delays or fails a page (nor tells, by its timing, whether an
 * account exists). Failures are retried with exponential backoff and jitter, a bounded number
 * of times; a permanent refusal (5xx) or a bug is not retried. Each outcome is one log line with the
 * mail's kind and a random id, never its recipient, link or text.
 *
 * In process memory: a message still waiting when the IdP stops is lost and logged as such.
 * Mail here is a link its owner can ask for again, so that is a fair price for no table and
 * no worker; a durable outbox in PostgreSQL is the path if it stops being one.
 */
export interface Outbox {
  /** Queues the message; false (and a log line) when the outbox is full or closed. */
  enqueue(message: MailMessage, kind: MailKind): boolean;
  /** Resolves when nothing is sending or waiting (tests; shutdown). */
  idle(): Promise<void>;
  /** Drops what is waiting (logged), stops retrying, closes the transport. */
  close(): void;
}

export function createOutbox(
  transport: MailTransport,
  logger: Logger,
  options: OutboxOptions = {},
): Outbox {
  const maxAttempts = options.maxAttempts ?? 6;
  const baseDelayMs = options.baseDelayMs ?? 1_000;
  const maxDelayMs = options.maxDelayMs ?? 60_000;
  const maxQueued = options.maxQueued ?? 1_000;
  const timers = new Map<string, NodeJS.Timeout>();
  let held = 0;
  let closed = false;
  let waiters: (() => void)[] = [];

  const finish = () => {
    held -= 1;
    if (held === 0) {
      for (const resolve of waiters) resolve();
      waiters = [];
    }
  };

  const attempt = async (id: string, message: MailMessage, kind: MailKind, n: number) => {
    timers.delete(id);
    if (closed) return;
    try {
      await transport.send(message);
      logger.info('mail.sent', { id, kind, attempts: n });
      finish();
    } catch (error) {
      const reason = describeFailure(error);
      if (closed) return;
      if (n >= maxAttempts || !isRetryableMailFailure(error)) {
        logger.error('mail.failed', { id, kind, attempts: n, reason });
        finish();
        return;
      }
      const full = Math.min(maxDelayMs, baseDelayMs * 2 ** (n - 1));
      // Jitter: instances retrying after one outage do not all knock at once.
      const delayMs = Math.round(full / 2 + Math.random() * (full / 2));
      logger.warn('mail.retrying', { id, kind, attempt: n, delayMs, reason });
      timers.set(id, setTimeout(() => void attempt(id, message, kind, n + 1), delayMs).unref());
    }
  };

  return {
    enqueue(message, kind) {
      const id = randomBytes(6).toString('base64url');
      if (closed || held >= maxQueued) {
        logger.error('mail.dropped', { id, kind, reason: closed ? 'closed' : 'outbox_full' });
        return false;
      }
      held += 1;
      // After this tick: the caller's answer goes out first.
      setImmediate(() => void attempt(id, message, kind, 1));
      return true;
    },
    idle: () =>
      held === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve)),
    close() {
      if (closed) return;
      closed = true;
      for (const timer of timers.values()) clearTimeout(timer);
      if (held > 0) logger.warn('mail.abandoned', { count: held });
      timers.clear();
      held = 0;
      for (const resolve of waiters) resolve();
      waiters = [];
      transport.close();
    },
  };
}

/** The failure's codes only: SMTP error messages can quote the recipient. */
function describeFailure(error: unknown): string {
  const { code, responseCode } = (error ?? {}) as { code?: unknown; responseCode?: unknown };
  const parts = [
    typeof code === 'string' ? code : undefined,
    typeof responseCode === 'number' ? `smtp ${responseCode}` : undefined,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : error instanceof Error ? error.name : 'unknown';
}
