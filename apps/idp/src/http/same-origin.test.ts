import Koa from 'koa';
import { describe, expect, it } from 'vitest';
import { isForeignOrigin } from './same-origin.js';

const OWN = 'http://idp.localhost:4000';

function foreign(headers: Record<string, string>): boolean {
  const app = new Koa();
  const ctx = app.createContext(
    { headers, method: 'POST', url: '/' } as never,
    { setHeader() {}, getHeader() {}, removeHeader() {} } as never,
  );
  return isForeignOrigin(ctx, OWN);
}

describe('isForeignOrigin (the second line beside the CSRF token)', () => {
  it('passes our own origin, and a request that names none (it must still carry the token)', () => {
    expect(foreign({ origin: OWN, 'sec-fetch-site': 'same-origin' })).toBe(false);
    expect(foreign({})).toBe(false);
    expect(foreign({ 'sec-fetch-site': 'none' })).toBe(false);
  });

  it('refuses another origin, a sibling site and a cross-site fetch', () => {
    expect(foreign({ origin: 'http://shop.localhost:3001' })).toBe(true);
    expect(foreign({ origin: 'http://idp.localhost:4001' })).toBe(true);
    expect(foreign({ 'sec-fetch-site': 'same-site' })).toBe(true);
    expect(foreign({ 'sec-fetch-site': 'cross-site' })).toBe(true);
  });

  it('refuses Origin: null from a sandboxed frame or a redirect (cross-site, or unsaid)', () => {
    expect(foreign({ origin: 'null' })).toBe(true);
    expect(foreign({ origin: 'null', 'sec-fetch-site': 'cross-site' })).toBe(true);
    expect(foreign({ origin: 'null', 'sec-fetch-site': 'same-site' })).toBe(true);
  });

  it('passes Origin: null with Sec-Fetch-Site: same-origin, our own no-referrer page posting its form', () => {
    expect(foreign({ origin: 'null', 'sec-fetch-site': 'same-origin' })).toBe(false);
  });
});
