/**
 * A kind of message the delivery outbox carries (a back-channel logout token, an SSF push).
 * The outbox stores only the kind's name, the target URL and a JSON payload; the kind turns
 * them into the HTTP request at each attempt, so what is signed is minted fresh every time
 * (a logout token's `exp` is two minutes: one minted at enqueue would be stale on a retry).
 *
 * To add a kind: implement this interface and give it to the worker (delivery-worker.ts);
 * enqueue rows with its `name` (delivery-outbox.ts). The worker does the rest: claiming,
 * POSTing with a timeout, never following a redirect, retrying what is recoverable.
 */
export interface DeliveryKind {
  /** Stored with each row; stable, e.g. 'backchannel-logout', 'ssf-push'. */
  readonly name: string;
  /**
   * The request for this attempt (always a POST to the row's target). Throw
   * DeliveryAbandonedError when the message can no longer be sent (the client was removed);
   * any other error counts as a recoverable failure and the row is tried again later.
   */
  render(payload: unknown, attempt: DeliveryAttempt): Promise<DeliveryRequest>;
  /**
   * Whether the receiver's status means it has the message. Default: any 2xx. (RFC 8935
   * expects 202, back-channel logout 200; both are 2xx.)
   */
  readonly accepts?: (status: number) => boolean;
}

export interface DeliveryAttempt {
  /** The outbox row's id, for logs. */
  readonly id: string;
  readonly target: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Epoch ms, from the worker's clock. */
  readonly now: number;
}

export interface DeliveryRequest {
  readonly contentType: string;
  readonly body: string;
  /** Extra headers (never Content-Type, Content-Length or Host). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** The message can no longer be sent; the row is marked failed without contacting anyone. */
export class DeliveryAbandonedError extends Error {
  readonly code = 'ERR_DELIVERY_ABANDONED';
  constructor(message: string) {
    super(message);
    this.name = 'DeliveryAbandonedError';
  }
}
