/** One mail, ready to send: plain text for every client, simple HTML for those that show it. */
export interface MailMessage {
  /** One recipient, already normalised. */
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** The message's language, for `Content-Language`. */
  readonly language: string;
}

/**
 * Sends one message or rejects. `permanent` on the rejection (SMTP 5xx) says that trying again
 * will not help; anything else (connection refused, timeout, 4xx) is worth a retry.
 */
export interface MailTransport {
  send(message: MailMessage): Promise<void>;
  close(): void;
}
