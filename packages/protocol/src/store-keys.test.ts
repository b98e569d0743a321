import { describe, expect, it } from 'vitest';
import { decodeKeySetChangedNotice, encodeKeySetChangedNotice } from './store-keys.js';

describe('key-set notices', () => {
  it('round-trips a notice', () => {
    const notice = { version: 7, reason: 'rotated' as const };
    expect(decodeKeySetChangedNotice(encodeKeySetChangedNotice(notice))).toEqual(notice);
  });

  it.each([
    '',
    'not json',
    'null',
    '[]',
    '{"version":"7","reason":"rotated"}',
    '{"version":1.5,"reason":"rotated"}',
    '{"version":1,"reason":"other"}',
  ])('rejects the malformed message %j', (message) => {
    expect(decodeKeySetChangedNotice(message)).toBeNull();
  });
});
