import { SSF_DELIVERY_POLL, SSF_DELIVERY_PUSH } from '@latchkey/protocol';
import { describe, expect, it } from 'vitest';
import { StreamRequestError } from './ssf-errors.js';
import { canonicalJson, readStreamInput, readSubjectKey } from './stream-input.js';

const push = (endpoint_url: unknown) => ({ delivery: { method: SSF_DELIVERY_PUSH, endpoint_url } });

describe('stream input', () => {
  it('push endpoint not https in production mode: refused, even on loopback', () => {
    for (const url of ['http://127.0.0.1:8080/events', 'http://receiver.example/events']) {
      expect(() => readStreamInput(push(url), { production: true })).toThrow(StreamRequestError);
    }
    expect(
      readStreamInput(push('https://receiver.example/events'), { production: true }),
    ).toMatchObject({
      deliveryMethod: SSF_DELIVERY_PUSH,
      endpointUrl: 'https://receiver.example/events',
    });
  });

  it('loopback http is allowed outside production only', () => {
    expect(
      readStreamInput(push('http://127.0.0.1:8080/events'), { production: false }).endpointUrl,
    ).toBe('http://127.0.0.1:8080/events');
    expect(() => readStreamInput(push('http://receiver.example/x'), { production: false })).toThrow(
      StreamRequestError,
    );
  });

  it('push endpoint with credentials, a fragment, another scheme or none at all: refused', () => {
    for (const url of [
      'https://user:pw@receiver.example/events',
      'https://receiver.example/events#x',
      'ftp://receiver.example/events',
      'not a url',
      undefined,
      42,
    ]) {
      expect(() => readStreamInput(push(url), { production: false })).toThrow(StreamRequestError);
    }
  });

  it('defaults to poll; an update keeps what the body leaves out', () => {
    const base = readStreamInput({ events_requested: ['a', 'a', 'b'] }, { production: false });
    expect(base).toEqual({
      deliveryMethod: SSF_DELIVERY_POLL,
      endpointUrl: null,
      authorizationHeader: null,
      eventsRequested: ['a', 'b'],
      description: null,
    });
    expect(readStreamInput({ description: 'd' }, { production: false }, base)).toMatchObject({
      eventsRequested: ['a', 'b'],
      description: 'd',
    });
  });

  it('subjects match whatever the order of their members', () => {
    expect(readSubjectKey({ sub: 'u', iss: 'i', format: 'iss_sub' })).toBe(
      canonicalJson({ format: 'iss_sub', iss: 'i', sub: 'u' }),
    );
    expect(() => readSubjectKey({ id: 'x' })).toThrow(StreamRequestError);
  });
});
