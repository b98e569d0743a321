import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { startSmtpCapture, type SmtpCapture } from '@latchkey/testing';
import type { MailMessage } from './mail-message.js';
import { createOutbox } from './outbox.js';
import { createSmtpTransport } from './smtp-transport.js';

/**
 * The outbox against a real SMTP server on loopback: a send never blocks its caller, failures
 * are retried with backoff a bounded number of times, permanent refusals are not, and the log
 * says what happened without the recipient or the content.
 */
let smtp: SmtpCapture;
beforeAll(async () => {
  smtp = await startSmtpCapture();
});
afterAll(() => smtp.close());

const from = { name: 'Latchkey', address: 'no-reply@idp.localhost' };
const message = (to: string): MailMessage => ({
  to,
  subject: 'Reset your Latchkey password',
  text: 'secret link http://idp.localhost:4000/reset-password?token=SECRET',
  html: '<p>secret link</p>',
  language: 'en',
});

function recorder() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('debug', (line) =>
    lines.push(JSON.parse(line) as Record<string, unknown>),
  );
  return { lines, logger, events: () => lines.map((line) => line.event) };
}

describe('the outbox', () => {
  it('delivers in the background and logs the kind, never the recipient or the link', async () => {
    const log = recorder();
    const outbox = createOutbox(createSmtpTransport({ smtpUrl: smtp.url, from }), log.logger);
    expect(outbox.enqueue(message('first@example.com'), 'password_reset')).toBe(true);
    await outbox.idle();
    const mail = await smtp.waitFor('first@example.com');
    expect(mail.headers.get('content-language')).toBe('en');
    expect(log.events()).toEqual(['mail.sent']);
    const written = JSON.stringify(log.lines);
    expect(written).not.toContain('first@example.com');
    expect(written).not.toContain('SECRET');
    outbox.close();
  });

  it('retries a temporary refusal (451) with growing waits, then delivers', async () => {
    const log = recorder();
    const outbox = createOutbox(createSmtpTransport({ smtpUrl: smtp.url, from }), log.logger, {
      baseDelayMs: 20,
    });
    smtp.refuseNext(2, 451);
    const started = Date.now();
    outbox.enqueue(message('retried@example.com'), 'invitation');
    await outbox.idle();
    expect(await smtp.waitFor('retried@example.com')).toBeDefined();
    expect(log.events()).toEqual(['mail.retrying', 'mail.retrying', 'mail.sent']);
    const waits = log.lines
      .filter((l) => l.event === 'mail.retrying')
      .map((l) => l.delayMs as number);
    // Jittered within [half, full] of 20 ms, then of 40 ms.
    expect(waits[0]).toBeGreaterThanOrEqual(10);
    expect(waits[1]).toBeGreaterThanOrEqual(20);
    expect(Date.now() - started).toBeGreaterThanOrEqual(waits[0]! + waits[1]!);
    expect(log.lines.at(-1)).toMatchObject({ kind: 'invitation', attempts: 3 });
    outbox.close();
  });

  it('gives up after the last attempt, and at once on a permanent refusal (550)', async () => {
    const log = recorder();
    const outbox = createOutbox(createSmtpTransport({ smtpUrl: smtp.url, from }), log.logger, {
      baseDelayMs: 5,
      maxAttempts: 3,
    });
    smtp.refuseNext(5, 451);
    outbox.enqueue(message('never@example.com'), 'password_reset');
    await outbox.idle();
    expect(log.events()).toEqual(['mail.retrying', 'mail.retrying', 'mail.failed']);
    expect(log.lines.at(-1)).toMatchObject({ attempts: 3, reason: expect.stringContaining('451') });

    smtp.refuseNext(1, 550);
    const before = log.lines.length;
    outbox.enqueue(message('refused@example.com'), 'password_reset');
    await outbox.idle();
    expect(log.lines.slice(before).map((l) => l.event)).toEqual(['mail.failed']);
    smtp.refuseNext(0);
    outbox.close();
  });

  it('an SMTP server that never answers does not hold up the caller', async () => {
    // Accepts connections and says nothing: the worst kind of relay.
    const silent: Server = createServer(() => undefined).listen(0, '127.0.0.1');
    await new Promise((resolve) => silent.once('listening', resolve));
    const { port } = silent.address() as { port: number };
    const log = recorder();
    const outbox = createOutbox(
      createSmtpTransport({ smtpUrl: `smtp://127.0.0.1:${port}`, from }),
      log.logger,
    );
    const started = performance.now();
    for (let i = 0; i < 50; i++) outbox.enqueue(message(`q${i}@example.com`), 'password_reset');
    expect(performance.now() - started).toBeLessThan(50);
    outbox.close();
    expect(log.events()).toContain('mail.abandoned');
    silent.close();
  });

  it('holds a bounded number of messages; beyond it, they are dropped and logged', () => {
    const log = recorder();
    const never = { send: () => new Promise<void>(() => undefined), close: () => undefined };
    const outbox = createOutbox(never, log.logger, { maxQueued: 3 });
    const accepted = Array.from({ length: 5 }, (_, i) =>
      outbox.enqueue(message(`b${i}@example.com`), 'password_changed'),
    );
    expect(accepted).toEqual([true, true, true, false, false]);
    expect(log.lines.filter((l) => l.event === 'mail.dropped')).toHaveLength(2);
    outbox.close();
  });
});
