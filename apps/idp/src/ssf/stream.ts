/** A Shared Signals stream as the transmitter keeps it (SSF 1.0 §8.1.1). */
export type StreamStatus = 'enabled' | 'paused' | 'disabled';

export interface Stream {
  readonly streamId: string;
  /** The client id of the receiver that created it; only it may see or change the stream. */
  readonly receiver: string;
  readonly deliveryMethod: string;
  /** Push: the receiver's URL. Poll: null (the transmitter's own poll URL is derived). */
  readonly endpointUrl: string | null;
  /** Push: the Authorization header value the receiver asked us to send. Never read back. */
  readonly authorizationHeader: string | null;
  readonly eventsRequested: readonly string[];
  readonly description: string | null;
  readonly status: StreamStatus;
  readonly statusReason: string | null;
  readonly createdAt: Date;
}

/** A SET waiting for its receiver, with its claims (signed at delivery). */
export interface QueuedEvent {
  readonly jti: string;
  readonly claims: Record<string, unknown>;
  readonly attempts: number;
}
