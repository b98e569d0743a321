import { isLoopbackHost, SSF_DELIVERY_POLL, SSF_DELIVERY_PUSH } from '@latchkey/protocol';
import { StreamRequestError } from './ssf-errors.js';
import type { StreamStatus } from './stream.js';

/**
 * The receiver-supplied parts of a stream configuration (SSF 1.0 §8.1.1), checked. Pure: the
 * routes read the JSON and pass it here; every refusal is a StreamRequestError (400).
 */
export interface StreamInput {
  deliveryMethod: string;
  endpointUrl: string | null;
  authorizationHeader: string | null;
  eventsRequested: string[];
  description: string | null;
}

export interface InputRules {
  /** Production: a push endpoint must be https; otherwise loopback http is allowed too. */
  production: boolean;
}

const MAX_EVENTS = 32;
const MAX_STRING = 2048;

export function asObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new StreamRequestError('the body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

export function readStreamId(value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(value)) {
    throw new StreamRequestError('stream_id is missing or malformed');
  }
  return value;
}

/**
 * A full configuration (create, replace), or the changes of an update (`base` given: members
 * absent from the body keep their value). Read-only members (iss, aud, events_supported,
 * events_delivered, stream_id) are ignored, as §8.1.1 asks of a transmitter.
 */
export function readStreamInput(
  body: Record<string, unknown>,
  rules: InputRules,
  base?: StreamInput,
): StreamInput {
  const delivery =
    body.delivery === undefined ? undefined : readDelivery(asDelivery(body.delivery), rules);
  return {
    deliveryMethod: delivery?.method ?? base?.deliveryMethod ?? SSF_DELIVERY_POLL,
    endpointUrl: delivery ? delivery.endpointUrl : (base?.endpointUrl ?? null),
    authorizationHeader: delivery
      ? delivery.authorizationHeader
      : (base?.authorizationHeader ?? null),
    eventsRequested:
      body.events_requested === undefined
        ? [...(base?.eventsRequested ?? [])]
        : readEvents(body.events_requested),
    description:
      body.description === undefined
        ? (base?.description ?? null)
        : optionalString(body.description, 'description', 256),
  };
}

function asDelivery(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StreamRequestError('delivery must be an object');
  }
  return value as Record<string, unknown>;
}

function readDelivery(
  delivery: Record<string, unknown>,
  rules: InputRules,
): { method: string; endpointUrl: string | null; authorizationHeader: string | null } {
  const { method } = delivery;
  if (method === SSF_DELIVERY_POLL) {
    // RFC 8936: the transmitter names the poll URL; a receiver's guess is refused, not ignored.
    if (delivery.endpoint_url !== undefined) {
      throw new StreamRequestError('endpoint_url is set by the transmitter for poll delivery');
    }
    return { method, endpointUrl: null, authorizationHeader: null };
  }
  if (method !== SSF_DELIVERY_PUSH) {
    throw new StreamRequestError(
      `delivery.method must be ${SSF_DELIVERY_PUSH} (push) or ${SSF_DELIVERY_POLL} (poll)`,
    );
  }
  return {
    method,
    endpointUrl: readPushEndpoint(delivery.endpoint_url, rules),
    authorizationHeader: optionalString(
      delivery.authorization_header,
      'delivery.authorization_header',
      1024,
    ),
  };
}

/**
 * RFC 8935 §4.2 / SSF §9: SETs travel over TLS. Plain http is accepted only for a loopback
 * host outside production (tests, a local demo). No credentials in the URL (they would be
 * logged) and no fragment (not sent anyway).
 */
function readPushEndpoint(value: unknown, rules: InputRules): string {
  if (typeof value !== 'string' || value.length > MAX_STRING) {
    throw new StreamRequestError('delivery.endpoint_url is required for push delivery');
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new StreamRequestError('delivery.endpoint_url must be an absolute URL');
  }
  if (url.username || url.password || url.hash) {
    throw new StreamRequestError('delivery.endpoint_url must carry no credentials or fragment');
  }
  const https = url.protocol === 'https:';
  const devHttp = url.protocol === 'http:' && !rules.production && isLoopbackHost(url.hostname);
  if (!https && !devHttp) {
    throw new StreamRequestError(
      rules.production
        ? 'delivery.endpoint_url must use https'
        : 'delivery.endpoint_url must use https (or http on a loopback host in development)',
    );
  }
  return url.href;
}

function readEvents(value: unknown): string[] {
  if (
    !Array.isArray(value) ||
    value.length > MAX_EVENTS ||
    !value.every((item) => typeof item === 'string' && item.length > 0 && item.length <= 256)
  ) {
    throw new StreamRequestError(`events_requested must be an array of up to ${MAX_EVENTS} URIs`);
  }
  return [...new Set(value as string[])];
}

function optionalString(value: unknown, name: string, max: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length > max) {
    throw new StreamRequestError(`${name} must be a string of at most ${max} characters`);
  }
  return value;
}

export function readStatus(body: Record<string, unknown>): {
  status: StreamStatus;
  reason: string | null;
} {
  const { status } = body;
  if (status !== 'enabled' && status !== 'paused' && status !== 'disabled') {
    throw new StreamRequestError('status must be enabled, paused or disabled');
  }
  return { status, reason: optionalString(body.reason, 'reason', 256) };
}

export function readState(body: Record<string, unknown>): string | null {
  return optionalString(body.state, 'state', 256);
}

/**
 * RFC 9493 §3: a subject identifier is an object with a `format`. Its canonical key (members
 * sorted) lets "remove" match what "add" stored whatever the order the receiver wrote.
 */
export function readSubjectKey(value: unknown): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StreamRequestError('subject must be a subject identifier object');
  }
  const subject = value as Record<string, unknown>;
  if (typeof subject.format !== 'string' || subject.format.length === 0) {
    throw new StreamRequestError('subject.format is required');
  }
  const key = canonicalJson(subject);
  if (key.length > 1024) throw new StreamRequestError('subject is too large');
  return key;
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
