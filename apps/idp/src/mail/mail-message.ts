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
 * Sends one message or rejects; the rejection's `code` and `responseCode` say whether trying
 * again may help (smtp-transport.ts, isRetryableMailFailure).
 */
export interface MailTransport {
  send(message: MailMessage): Promise<void>;
  close(): void;
}
