import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSealer } from './sealed-value.js';

const sealer = createSealer(randomBytes(32));

describe('sealed values (AES-256-GCM cookies)', () => {
  it('round-trips a value and never shows it in the clear', () => {
    const sealed = sealer.seal('session', { at: 'access-token-text' });
    expect(sealed).not.toContain('access-token-text');
    expect(Buffer.from(sealed, 'base64url').toString('latin1')).not.toContain('access-token');
    expect(sealer.unseal('session', sealed)).toEqual({ at: 'access-token-text' });
  });

  it('uses a fresh IV each time', () => {
    expect(sealer.seal('p', 1)).not.toBe(sealer.seal('p', 1));
  });

  it('refuses a value sealed for another purpose (a login cookie replayed as a session)', () => {
    expect(sealer.unseal('session', sealer.seal('login', { at: 'x' }))).toBeUndefined();
  });

  it('refuses a value sealed with another key', () => {
    const other = createSealer(randomBytes(32)).seal('session', { at: 'x' });
    expect(sealer.unseal('session', other)).toBeUndefined();
  });

  it('refuses every single-bit change', () => {
    const bytes = Buffer.from(sealer.seal('session', { at: 'x' }), 'base64url');
    for (let i = 0; i < bytes.length; i++) {
      const copy = Buffer.from(bytes);
      copy[i]! ^= 1;
      expect(sealer.unseal('session', copy.toString('base64url'))).toBeUndefined();
    }
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['too short', 'abc'],
    ['not base64url', 'a+b/c=='],
    ['oversized', 'A'.repeat(9000)],
  ])('treats a %s value as no value', (_name, value) => {
    expect(sealer.unseal('session', value)).toBeUndefined();
  });

  it('needs a 32-byte key', () => {
    expect(() => createSealer(randomBytes(16))).toThrow(TypeError);
  });
});
