import {
  readRevocationSnapshot,
  type RevocationSnapshot,
  SSF_DELIVERY_POLL,
  SSF_DELIVERY_PUSH,
  SSF_EVENTS_SUPPORTED,
  SSF_MANAGE_SCOPE,
  ssfAudience,
} from '@latchkey/protocol';
import { IdpUnavailableError, SignalStreamError } from '../errors.js';
import { postJson } from '../lib/http.js';
import type { ResolvedSsfSourceOptions } from './ssf-source-options.js';

export interface PollAnswer {
  sets: Record<string, string>;
  moreAvailable: boolean;
}

export interface PollBody {
  ack: string[];
  setErrs: Record<string, { err: string; description: string }>;
  maxEvents: number;
  returnImmediately: boolean;
  maxWaitMs: number;
}

/**
 * The receiver's side of the IdP's SSF API: an access token by client_credentials (cached
 * until shortly before it expires, dropped on a 401), stream creation and deletion, and the
 * poll call. Refusals that configuration must fix are SignalStreamError; anything else (no
 * answer, 5xx) is IdpUnavailableError.
 */
export interface SsfReceiver {
  /** A poll stream, or with `push` a push stream to the service's own endpoint. */
  createStream(push?: { endpointUrl: string; authorization: string }): Promise<string>;
  /** SSF §8.1.4: asks for a verification event carrying `state`. */
  verify(streamId: string, state: string): Promise<void>;
  deleteStream(streamId: string): Promise<void>;
  poll(streamId: string, body: PollBody, signal?: AbortSignal): Promise<PollAnswer>;
  /** The IdP's revoked set as it stands; null from an IdP that does not serve it (404). */
  revocations(): Promise<RevocationSnapshot | null>;
}

export function createSsfReceiver(options: ResolvedSsfSourceOptions): SsfReceiver {
  const { idpUrl, requestTimeoutMs, now } = options;
  let token: { value: string; until: number } | undefined;
  const basic = `Basic ${Buffer.from(
    `${formEncode(options.clientId)}:${formEncode(options.clientSecret)}`,
  ).toString('base64')}`;

  async function accessToken(): Promise<string> {
    if (token && token.until > now()) return token.value;
    const answer = await call(() =>
      postJson(
        new URL('token', idpUrl),
        new URLSearchParams({
          grant_type: 'client_credentials',
          scope: SSF_MANAGE_SCOPE,
          resource: ssfAudience(options.issuer),
        }),
        { timeoutMs: requestTimeoutMs, headers: { authorization: basic } },
      ),
    );
    const body = answer.body as { access_token?: unknown; expires_in?: unknown } | null;
    if (answer.status !== 200 || typeof body?.access_token !== 'string') {
      throw refusal(answer.status, 'the token endpoint refused the receiver');
    }
    const lifetimeMs = typeof body.expires_in === 'number' ? body.expires_in * 1000 : 60_000;
    // Renewed a little early so a poll never leaves with a token about to expire.
    token = { value: body.access_token, until: now() + lifetimeMs * 0.8 };
    return token.value;
  }

  /** One authenticated request; a 401 (a token the IdP no longer takes) is retried once. */
  async function api(
    path: string,
    body: unknown,
    timeoutMs: number,
    method = 'POST',
    signal?: AbortSignal,
  ): Promise<{ status: number; body: unknown }> {
    for (let attempt = 0; ; attempt += 1) {
      const bearer = await accessToken();
      const answer = await call(() =>
        postJson(new URL(path, idpUrl), body, {
          timeoutMs,
          method,
          headers: { authorization: `Bearer ${bearer}` },
          ...(signal && { signal }),
        }),
      );
      if (answer.status !== 401 || attempt > 0) return answer;
      token = undefined;
    }
  }

  return {
    async createStream(push) {
      const answer = await api(
        'ssf/streams',
        {
          delivery: push
            ? {
                method: SSF_DELIVERY_PUSH,
                endpoint_url: push.endpointUrl,
                authorization_header: push.authorization,
              }
            : { method: SSF_DELIVERY_POLL },
          events_requested: SSF_EVENTS_SUPPORTED,
          description: 'Latchkey SDK revocation source',
        },
        requestTimeoutMs,
      );
      const streamId = (answer.body as { stream_id?: unknown } | null)?.stream_id;
      if (answer.status !== 201 || typeof streamId !== 'string') {
        throw refusal(answer.status, 'the IdP did not create the stream');
      }
      return streamId;
    },

    async verify(streamId, state) {
      const answer = await api('ssf/verify', { stream_id: streamId, state }, requestTimeoutMs);
      if (answer.status !== 204) throw refusal(answer.status, 'the IdP refused the verification');
    },

    async deleteStream(streamId) {
      await api(
        `ssf/streams?stream_id=${encodeURIComponent(streamId)}`,
        undefined,
        requestTimeoutMs,
        'DELETE',
      );
    },

    async revocations() {
      const answer = await api('ssf/revocations', undefined, requestTimeoutMs, 'GET');
      if (answer.status === 404) return null;
      if (answer.status !== 200) throw refusal(answer.status, 'the IdP refused the revoked set');
      const snapshot = readRevocationSnapshot(answer.body);
      if (!snapshot) throw new IdpUnavailableError('the IdP answered an unreadable revoked set');
      return snapshot;
    },

    async poll(streamId, body, signal) {
      const answer = await api(
        `ssf/poll/${encodeURIComponent(streamId)}`,
        body,
        body.maxWaitMs + requestTimeoutMs,
        'POST',
        signal,
      );
      const polled = answer.body as Partial<PollAnswer> | null;
      if (answer.status !== 200 || typeof polled?.sets !== 'object' || polled.sets === null) {
        throw refusal(answer.status, 'the IdP refused the poll');
      }
      return { sets: polled.sets, moreAvailable: polled.moreAvailable === true };
    },
  };
}

/** 4xx: the receiver's setup is wrong (fix and it recovers); anything else: an outage. */
function refusal(status: number, message: string): Error {
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return new SignalStreamError(`${message} (${status})`, status);
  }
  return new IdpUnavailableError(`${message} (${status})`);
}

async function call<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw new IdpUnavailableError('the IdP could not be reached', { cause: error });
  }
}

/** RFC 6749 §2.3.1: client id and secret are form-encoded before Basic encoding. */
function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}
