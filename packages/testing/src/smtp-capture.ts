import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One message as the SMTP server received it, parsed. */
export interface CapturedMail {
  /** The envelope's recipients (RCPT TO). */
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  headers: Map<string, unknown>;
  /** The raw message, for asserting what never appears in it. */
  raw: string;
}

export interface SmtpCapture {
  /** `smtp://127.0.0.1:PORT`, for SMTP_URL. */
  url: string;
  messages: CapturedMail[];
  /** Waits for a message to `to` (normalised lower case) that `match` accepts, and returns it. */
  waitFor(
    to: string,
    match?: (mail: CapturedMail) => boolean,
    timeoutMs?: number,
  ): Promise<CapturedMail>;
  /** Refuses the next `count` messages with this SMTP status (451: try later, 550: never). */
  refuseNext(count: number, status?: number): void;
  /** Messages to `to` so far. */
  to(address: string): CapturedMail[];
  close(): Promise<void>;
}

/**
 * A real SMTP server on loopback, in this process: the IdP sends to it over TCP with its own
 * nodemailer transport, exactly as to a production relay, and tests read what arrived.
 */
export async function startSmtpCapture(): Promise<SmtpCapture> {
  const messages: CapturedMail[] = [];
  const listeners = new Set<() => void>();
  let refusals: { count: number; status: number } = { count: 0, status: 451 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (refusals.count > 0) {
          refusals = { ...refusals, count: refusals.count - 1 };
          const error = Object.assign(new Error('refused by the test'), {
            responseCode: refusals.status,
          });
          callback(error);
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        void simpleParser(raw).then((parsed) => {
          messages.push({
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase()),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            headers: parsed.headers,
            raw,
          });
          for (const listener of listeners) listener();
          callback();
        }, callback);
      });
    },
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.server.once('listening', resolve));
  const { port } = server.server.address() as AddressInfo;

  const to = (address: string) =>
    messages.filter((mail) => mail.to.includes(address.toLowerCase()));
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    to,
    waitFor(address, match = () => true, timeoutMs = 10_000) {
      const find = () => to(address).find(match);
      const found = find();
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const listener = () => {
          const mail = find();
          if (!mail) return;
          cleanup();
          resolve(mail);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no mail to ${address} within ${timeoutMs} ms`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(listener);
        };
        listeners.add(listener);
      });
    },
    refuseNext(count, status = 451) {
      refusals = { count, status };
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The first `http(s)://…` link in a mail's text that goes to `path`. */
export function linkIn(mail: CapturedMail, path: string): URL {
  for (const match of mail.text.matchAll(/https?:\/\/\S+/g)) {
    const url = new URL(match[0]);
    if (url.pathname === path) return url;
  }
  throw new Error(`no link to ${path} in the mail "${mail.subject}"`);
}
