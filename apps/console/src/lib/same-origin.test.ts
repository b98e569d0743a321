import { describe, expect, it } from 'vitest';
import { isSameOrigin } from './same-origin';

const APP = 'http://console.localhost:3003';
const headers = (values: Record<string, string>) => new Headers(values);

describe('isSameOrigin', () => {
  it("takes a POST from the console's own page", () => {
    expect(isSameOrigin(headers({ origin: APP, 'sec-fetch-site': 'same-origin' }), APP)).toBe(true);
  });

  it('refuses another origin, also a sibling *.localhost app', () => {
    expect(isSameOrigin(headers({ origin: 'http://evil.example' }), APP)).toBe(false);
    expect(isSameOrigin(headers({ origin: 'http://shop.localhost:3001' }), APP)).toBe(false);
    expect(isSameOrigin(headers({ origin: 'null' }), APP)).toBe(false);
  });

  it('refuses what the browser marks cross-site or same-site, whatever the Origin says', () => {
    for (const site of ['cross-site', 'same-site', 'none']) {
      expect(isSameOrigin(headers({ origin: APP, 'sec-fetch-site': site }), APP)).toBe(false);
    }
  });

  it('lets a request with neither header through (not a browser: no victim cookie)', () => {
    expect(isSameOrigin(headers({}), APP)).toBe(true);
  });
});
