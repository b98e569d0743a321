import { SECEVENT_MEDIA_TYPE, SSF_DELIVERY_PUSH } from '@latchkey/protocol';
import type { Database } from '../db/database.js';
import { DeliveryAbandonedError, type DeliveryKind } from '../delivery/delivery-kind.js';
import { selectStream } from './stream-queries.js';

export const SSF_PUSH_KIND = 'ssf-push';

/** An ssf-push outbox row: which stream, and the SET's claims (signed at each attempt). */
export interface PushPayload {
  streamId: string;
  claims: Record<string, unknown>;
}

/**
 * RFC 8935 push delivery as a kind of the IdP's delivery outbox (delivery/), which retries
 * it like a back-channel logout (backoff with jitter, no redirects, a 400 not retried). Each
 * attempt re-reads the stream: a stream deleted, disabled or pointed elsewhere since is not
 * sent to; a paused one is tried again later (SSF §8.1.2: paused streams hold their events).
 * The receiver's Authorization header is read from the stream, never stored in the row.
 */
export function ssfPushKind(deps: {
  database: Database;
  sign: (claims: Record<string, unknown>) => string;
}): DeliveryKind {
  return {
    name: SSF_PUSH_KIND,
    async render(payload, attempt) {
      const { streamId, claims } = readPayload(payload);
      const stream = await selectStream(deps.database, streamId);
      if (!stream || stream.status === 'disabled') {
        throw new DeliveryAbandonedError(`stream ${streamId} is gone or disabled`);
      }
      if (stream.deliveryMethod !== SSF_DELIVERY_PUSH || stream.endpointUrl !== attempt.target) {
        throw new DeliveryAbandonedError(`stream ${streamId} no longer pushes to this URL`);
      }
      if (stream.status === 'paused') throw new Error(`stream ${streamId} is paused`);
      return {
        contentType: SECEVENT_MEDIA_TYPE,
        body: deps.sign(claims),
        headers: {
          accept: 'application/json',
          ...(stream.authorizationHeader !== null && {
            authorization: stream.authorizationHeader,
          }),
        },
      };
    },
    // RFC 8935 §2.2: a receiver that took the SET answers 202 Accepted. The outbox's default
    // (any 2xx) is kept: a receiver answering 200 has the SET too, and must not get it twice.
  };
}

function readPayload(payload: unknown): PushPayload {
  const value = (payload ?? {}) as Record<string, unknown>;
  const { streamId, claims } = value;
  if (typeof streamId !== 'string' || typeof claims !== 'object' || claims === null) {
    throw new DeliveryAbandonedError('malformed ssf-push row');
  }
  return { streamId, claims: claims as Record<string, unknown> };
}
