import { describe, expect, it } from 'vitest';
import {
  decodeStoreLayout,
  encodeStoreLayout,
  isCompatibleStoreLayout,
  STORE_LAYOUT_VERSION,
  storeLayoutKey,
} from './store-layout.js';

describe('the store layout version', () => {
  it('lives under a name that carries no version, so any two versions can compare', () => {
    expect(storeLayoutKey).toBe('latchkey:layout');
  });

  it('round-trips and is compatible with itself', () => {
    const raw = encodeStoreLayout(STORE_LAYOUT_VERSION);
    expect(decodeStoreLayout(raw)).toBe(STORE_LAYOUT_VERSION);
    expect(isCompatibleStoreLayout(raw)).toBe(true);
  });

  it('treats a store where nothing was written yet as compatible', () => {
    expect(decodeStoreLayout(null)).toBeNull();
    expect(isCompatibleStoreLayout(null)).toBe(true);
  });

  it.each([String(STORE_LAYOUT_VERSION + 1), '0', '', '1.0', ' 1', 'v1'])(
    'refuses the layout %j',
    (raw) => {
      expect(isCompatibleStoreLayout(raw)).toBe(false);
    },
  );

  it('keeps text that is not a version as found, for the error message', () => {
    expect(decodeStoreLayout('v1')).toBe('v1');
    expect(decodeStoreLayout('2')).toBe(2);
  });
});
