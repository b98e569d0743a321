import { randomBytes } from 'node:crypto';
import { SSF_DELIVERY_POLL, SSF_EVENTS_SUPPORTED } from '@latchkey/protocol';
import type { Database } from '../db/database.js';
import { StreamNotFoundError } from './ssf-errors.js';
import {
  asObject,
  readStatus,
  readState,
  readStreamId,
  readStreamInput,
  readSubjectKey,
  type InputRules,
  type StreamInput,
} from './stream-input.js';
import {
  deleteStream,
  insertStream,
  selectStream,
  selectStreamsOf,
  updateStream,
  upsertSubject,
} from './stream-queries.js';
import type { Stream } from './stream.js';
import { eventsDelivered, type SignalTransmitter } from './transmitter.js';

/**
 * Stream management (SSF 1.0 §8.1) for one authenticated receiver. Every operation finds the
 * stream among the receiver's own: another receiver's stream is "not found", exactly like an
 * unknown one.
 */
export interface StreamService {
  create(receiver: string, body: unknown): Promise<Stream>;
  read(receiver: string, streamId: string): Promise<Stream>;
  list(receiver: string): Promise<Stream[]>;
  update(receiver: string, body: unknown, mode: 'update' | 'replace'): Promise<Stream>;
  remove(receiver: string, streamId: string): Promise<void>;
  setStatus(receiver: string, body: unknown): Promise<Stream>;
  subject(receiver: string, body: unknown, included: boolean): Promise<void>;
  verify(receiver: string, body: unknown): Promise<void>;
}

export function createStreamService(deps: {
  database: Database;
  transmitter: SignalTransmitter;
  rules: InputRules;
  now: () => number;
}): StreamService {
  const { database, rules } = deps;

  async function own(receiver: string, streamId: string): Promise<Stream> {
    const stream = await selectStream(database, streamId);
    if (!stream || stream.receiver !== receiver) throw new StreamNotFoundError();
    return stream;
  }

  const inputOf = (stream: Stream): StreamInput => ({
    deliveryMethod: stream.deliveryMethod,
    endpointUrl: stream.endpointUrl,
    authorizationHeader: stream.authorizationHeader,
    eventsRequested: [...stream.eventsRequested],
    description: stream.description,
  });

  return {
    async create(receiver, body) {
      const input = readStreamInput(asObject(body), rules);
      const stream: Stream = {
        ...input,
        streamId: randomBytes(16).toString('base64url'),
        receiver,
        status: 'enabled',
        statusReason: null,
        createdAt: new Date(deps.now()),
      };
      await insertStream(database, stream);
      return stream;
    },

    read: own,

    list: (receiver) => selectStreamsOf(database, receiver),

    async update(receiver, body, mode) {
      const fields = asObject(body);
      const existing = await own(receiver, readStreamId(fields.stream_id));
      // Replace (PUT): what the body leaves out goes back to its default; update (PATCH) keeps it.
      const input = readStreamInput(
        fields,
        rules,
        mode === 'update' ? inputOf(existing) : undefined,
      );
      const changed: Stream = { ...existing, ...input };
      await updateStream(database, changed, new Date(deps.now()));
      return changed;
    },

    async remove(receiver, streamId) {
      await own(receiver, readStreamId(streamId));
      await deleteStream(database, streamId);
    },

    async setStatus(receiver, body) {
      const fields = asObject(body);
      const existing = await own(receiver, readStreamId(fields.stream_id));
      const { status, reason } = readStatus(fields);
      const changed: Stream = { ...existing, status, statusReason: reason };
      await updateStream(database, changed, new Date(deps.now()));
      return changed;
    },

    async subject(receiver, body, included) {
      const fields = asObject(body);
      const stream = await own(receiver, readStreamId(fields.stream_id));
      await upsertSubject(database, stream.streamId, readSubjectKey(fields.subject), included);
    },

    async verify(receiver, body) {
      const fields = asObject(body);
      const stream = await own(receiver, readStreamId(fields.stream_id));
      await deps.transmitter.verify(stream, readState(fields));
    },
  };
}

/** The poll URL the transmitter assigns a poll stream (RFC 8936 §2.4, SSF §8.1.1). */
export function pollUrl(issuer: string, streamId: string): string {
  return `${issuer}/ssf/poll/${streamId}`;
}

/** SSF §8.1.1: the configuration as the receiver reads it. The authorization header is never echoed. */
export function describeStream(stream: Stream, issuer: string): Record<string, unknown> {
  return {
    stream_id: stream.streamId,
    iss: issuer,
    aud: stream.receiver,
    events_supported: SSF_EVENTS_SUPPORTED,
    events_requested: stream.eventsRequested,
    events_delivered: eventsDelivered(stream),
    delivery: {
      method: stream.deliveryMethod,
      endpoint_url:
        stream.deliveryMethod === SSF_DELIVERY_POLL
          ? pollUrl(issuer, stream.streamId)
          : stream.endpointUrl,
    },
    ...(stream.description !== null && { description: stream.description }),
  };
}

export function describeStatus(stream: Stream): Record<string, unknown> {
  return {
    stream_id: stream.streamId,
    status: stream.status,
    ...(stream.statusReason !== null && { reason: stream.statusReason }),
  };
}
