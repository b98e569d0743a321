import { randomBytes } from 'node:crypto';
import {
  SSF_EVENTS_SUPPORTED,
  SSF_VERIFICATION,
  type CaepChangeType,
  type CaepCredentialType,
  type SecurityEventClaims,
} from '@latchkey/protocol';
import { SSF_DELIVERY_PUSH } from '@latchkey/protocol';
import type { Database } from '../db/database.js';
import type { DeliveryOutbox } from '../delivery/delivery-outbox.js';
import type { Logger } from '../logger.js';
import type { SessionEndListener } from '../sessions/session-events.js';
import type { AccountNotifier } from '../users/account-lifecycle.js';
import type { PollWaiters } from './poll-waiters.js';
import { SSF_PUSH_KIND } from './push-kind.js';
import { credentialChangeEvent, sessionRevokedEvent, type SignalEvent } from './signal-events.js';
import { canonicalJson } from './stream-input.js';
import {
  deleteExpiredEvents,
  insertEvent,
  selectExcludedSubjects,
  selectLiveStreams,
} from './stream-queries.js';
import type { Stream } from './stream.js';

/** `credentialChanged`'s kinds: the MFA wing passes `second_factor` with its own type. */
export type CredentialKind = 'password' | 'second_factor';

export interface CredentialChange {
  sub: string;
  kind: CredentialKind;
  /** CAEP credential_type; default `password` for a password, `app` (TOTP) for a factor. */
  credentialType?: CaepCredentialType;
  /** Default `update` for a password, `create` for a second factor. */
  changeType?: CaepChangeType;
}

/**
 * The Shared Signals transmitter's write side: turns what happened into one SET per stream
 * that asked for it and queues it durably (ssf_events) before resolving, so that a caller
 * awaiting it (the revoker, through its listeners) knows no receiver can miss the event.
 * Delivery (poll or push) reads the queue.
 */
export interface SignalTransmitter extends SessionEndListener {
  credentialChanged(change: CredentialChange): Promise<void>;
  /** SSF §8.1.4: a verification event for one stream, whatever it requested. */
  verify(stream: Stream, state: string | null): Promise<void>;
  /** An AccountNotifier that reports password changes as credential-change events. */
  readonly accountNotifier: AccountNotifier;
}

export interface TransmitterDeps {
  issuer: string;
  database: Database;
  logger: Logger;
  waiters: PollWaiters;
  now: () => number;
  /** SSF_EVENT_RETENTION: queued events older than this are dropped (a receiver gone for good). */
  eventRetentionMs: number;
  /** The IdP's delivery outbox (delivery/): push streams' SETs go out through it. */
  outbox?: Pick<DeliveryOutbox, 'enqueue' | 'wake'>;
}

/** Events a stream gets: those it requested that we support (SSF §8.1.1 events_delivered). */
export function eventsDelivered(stream: Pick<Stream, 'eventsRequested'>): string[] {
  return SSF_EVENTS_SUPPORTED.filter((type) => stream.eventsRequested.includes(type));
}

export function createSignalTransmitter(deps: TransmitterDeps): SignalTransmitter {
  const { issuer, database, now } = deps;
  let purgedAt = -Infinity;

  /** At most once a minute, on the way: no timer of its own, and cheap on the created_at index. */
  async function purgeExpired(at: number): Promise<void> {
    if (at - purgedAt < 60_000) return;
    purgedAt = at;
    const dropped = await deleteExpiredEvents(database, new Date(at - deps.eventRetentionMs));
    if (dropped > 0) deps.logger.warn('ssf.events_expired', { dropped });
  }

  const claimsFor = (
    stream: Stream,
    event: SignalEvent,
    txn: string,
    at: number,
  ): SecurityEventClaims => ({
    iss: issuer,
    aud: stream.receiver,
    iat: Math.floor(at / 1000),
    jti: randomBytes(16).toString('base64url'),
    txn,
    sub_id: event.subject,
    events: { [event.type]: event.body },
  });

  async function queue(streams: readonly Stream[], event: SignalEvent): Promise<void> {
    const at = now();
    await purgeExpired(at);
    if (streams.length === 0) return;
    // RFC 8417 §2.2 txn: the SETs one change produced share it, whichever stream carries them.
    const txn = randomBytes(16).toString('base64url');
    let pushed = false;
    await database.transaction(async (tx) => {
      for (const stream of streams) {
        const claims = claimsFor(stream, event, txn, at);
        if (stream.deliveryMethod === SSF_DELIVERY_PUSH && stream.endpointUrl !== null) {
          if (!deps.outbox) throw new Error('push delivery needs the delivery outbox');
          // RFC 8935: one POST per SET, retried by the outbox; committed with the rest.
          await deps.outbox.enqueue(
            [
              {
                kind: SSF_PUSH_KIND,
                target: stream.endpointUrl,
                payload: { streamId: stream.streamId, claims },
              },
            ],
            tx,
          );
          pushed = true;
        } else {
          await insertEvent(tx, {
            streamId: stream.streamId,
            jti: claims.jti,
            claims,
            now: new Date(at),
          });
        }
      }
    });
    for (const stream of streams) deps.waiters.wake(stream.streamId);
    if (pushed) deps.outbox?.wake();
  }

  /** Every live stream that asked for this event and did not remove its subject. */
  async function publish(event: SignalEvent): Promise<void> {
    const candidates = (await selectLiveStreams(database)).filter((stream) =>
      stream.eventsRequested.includes(event.type),
    );
    const excluded = await selectExcludedSubjects(
      database,
      candidates.map((stream) => stream.streamId),
    );
    const keys = subjectKeys(event);
    const streams = candidates.filter((stream) => {
      const removed = excluded.get(stream.streamId);
      return !removed || !keys.some((key) => removed.has(key));
    });
    await queue(streams, event);
  }

  const transmitter: SignalTransmitter = {
    async sessionEnded(end) {
      await publish(sessionRevokedEvent(issuer, end));
    },

    async credentialChanged(change) {
      const password = change.kind === 'password';
      await publish(
        credentialChangeEvent(issuer, {
          sub: change.sub,
          credentialType: change.credentialType ?? (password ? 'password' : 'app'),
          changeType: change.changeType ?? (password ? 'update' : 'create'),
          at: now(),
        }),
      );
    },

    async verify(stream, state) {
      await queue([stream], {
        type: SSF_VERIFICATION,
        subject: { format: 'opaque', id: stream.streamId },
        body: state === null ? {} : { state },
      });
    },

    accountNotifier: {
      passwordChanged: async (user) => {
        await transmitter.credentialChanged({ sub: user.id, kind: 'password' });
      },
      secondFactorsReset: async (user) => {
        await transmitter.credentialChanged({ sub: user.id, kind: 'second_factor' });
      },
    },
  };
  return transmitter;
}

/** The keys under which a receiver may have removed this event's subject (the user, or all). */
function subjectKeys(event: SignalEvent): string[] {
  const keys = [canonicalJson(event.subject)];
  if (event.subject.format === 'complex' && event.subject.user) {
    keys.push(canonicalJson(event.subject.user));
  }
  return keys;
}
