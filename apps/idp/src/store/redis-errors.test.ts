import { describe, expect, it } from 'vitest';
import { toStoreError } from './redis-errors.js';
import { StoreUnavailableError } from './store.js';

/** What ioredis rejects with when Redis answers with an error reply. */
function replyError(message: string): Error {
  const error = new Error(message);
  error.name = 'ReplyError';
  return error;
}

describe('toStoreError', () => {
  it('wraps connection trouble, keeping the original as the cause', () => {
    const original = new Error('Command timed out');
    const mapped = toStoreError(original, 'GET');
    expect(mapped).toBeInstanceOf(StoreUnavailableError);
    expect(mapped.message).toBe('Redis GET failed: Command timed out');
    expect(mapped.cause).toBe(original);
  });

  it.each([
    'LOADING Redis is loading the dataset in memory',
    'READONLY You can’t write',
    'OOM command not allowed',
  ])('treats the passing server state "%s" as unavailability', (message) => {
    expect(toStoreError(replyError(message), 'SET')).toBeInstanceOf(StoreUnavailableError);
  });

  it('passes other error replies through: they are bugs, not outages', () => {
    const wrongType = replyError(
      'WRONGTYPE Operation against a key holding the wrong kind of value',
    );
    expect(toStoreError(wrongType, 'GET')).toBe(wrongType);
  });

  it('leaves a StoreUnavailableError as it is', () => {
    const unavailable = new StoreUnavailableError('not connected');
    expect(toStoreError(unavailable, 'GET')).toBe(unavailable);
  });
});
