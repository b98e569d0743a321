import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TokenMalformedError } from './errors.js';
import { decodeJwsPayload, type ParsedJws } from './compact-jws.js';

/**
 * The payload decoder reads UTF-8 leniently and falls back to the strict decoder only when the
 * text shows U+FFFD or a BOM. These cases hold it to the strict decoder's answer exactly.
 */

const reference = new TextDecoder('utf-8', { fatal: true });

function decode(bytes: Uint8Array): unknown {
  const jws = { payloadSegment: Buffer.from(bytes).toString('base64url') } as ParsedJws;
  return decodeJwsPayload(jws);
}

function expected(bytes: Uint8Array): unknown {
  return JSON.parse(reference.decode(bytes));
}

/** `{"v":"<bytes>"}` around raw bytes, so that only the UTF-8 inside a string is in question. */
function wrapped(...inner: number[]): Uint8Array {
  return Buffer.concat([Buffer.from('{"v":"'), Buffer.from(inner), Buffer.from('"}')]);
}

describe('decodeJwsPayload UTF-8', () => {
  it.each([
    ['a lone continuation byte', wrapped(0x80)],
    ['0xFF', wrapped(0xff)],
    ['an overlong "/"', wrapped(0xc0, 0xaf)],
    ['a UTF-8 encoded surrogate', wrapped(0xed, 0xa0, 0x80)],
    ['a truncated sequence', wrapped(0xe2, 0x82)],
  ])('refuses %s, as the strict decoder does', (_name, bytes) => {
    expect(() => reference.decode(bytes)).toThrow(TypeError);
    expect(() => decode(bytes)).toThrow(TokenMalformedError);
  });

  it.each([
    ['ASCII', Buffer.from('{"sub":"alice","n":1}')],
    ['non-ASCII text', Buffer.from('{"name":"Zoë Ångström","city":"東京","emoji":"🔑"}')],
    ['a literal U+FFFD', Buffer.from('{"v":"a\uFFFDb"}')],
    ['a leading BOM (dropped, as the strict decoder drops it)', Buffer.from('\uFEFF{"v":1}')],
  ])('reads %s exactly as the strict decoder', (_name, bytes) => {
    expect(decode(bytes)).toEqual(expected(bytes));
  });

  it('agrees with the strict decoder on random bytes inside a JSON string', () => {
    let refused = 0;
    for (let i = 0; i < 2000; i += 1) {
      const bytes = wrapped(...randomBytes(1 + (i % 12)).filter((b) => b !== 0x22 && b !== 0x5c));
      let want: unknown;
      try {
        want = expected(bytes);
      } catch {
        want = 'refused';
        refused += 1;
      }
      let got: unknown;
      try {
        got = decode(bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(TokenMalformedError);
        got = 'refused';
      }
      expect(got).toEqual(want);
    }
    // Random bytes are mostly invalid UTF-8: both roads were taken.
    expect(refused).toBeGreaterThan(100);
    expect(refused).toBeLessThan(2000);
  });
});
