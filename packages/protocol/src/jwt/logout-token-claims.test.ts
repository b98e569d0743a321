import { describe, expect, it } from 'vitest';
import { BACKCHANNEL_LOGOUT_EVENT } from '../logout-token.js';
import { checkLogoutTokenClaims } from './logout-token-claims.js';
import { isLogoutTokenType } from './token-types.js';

/** The pure checks; the SDK's verifier.logout-token.test.ts runs them behind real signatures. */

const NOW = 1_700_000_000;
const context = { issuer: 'https://idp.example', nowSec: NOW, toleranceSec: 5 };
const checks = { clientId: 'shop', maxLifetimeSec: 180 };
const valid = (): Record<string, unknown> => ({
  iss: 'https://idp.example',
  aud: 'shop',
  iat: NOW,
  exp: NOW + 120,
  jti: 'j-1',
  sid: 's-1',
  events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
});
const refusal = (claims: Record<string, unknown>): unknown => {
  try {
    checkLogoutTokenClaims(claims, context, checks);
    return 'accepted';
  } catch (error) {
    return { code: (error as { code: string }).code, claim: (error as { claim?: string }).claim };
  }
};

describe('isLogoutTokenType', () => {
  it('takes logout+jwt with or without application/, in any case', () => {
    for (const typ of ['logout+jwt', 'application/logout+jwt', 'LOGOUT+JWT']) {
      expect(isLogoutTokenType(typ)).toBe(true);
    }
  });

  it('refuses untyped, JWT and other types unless loosened, and at+jwt always', () => {
    for (const typ of [undefined, 'JWT', 'at+jwt', 'logout+jwt ', 42]) {
      expect(isLogoutTokenType(typ)).toBe(false);
    }
    expect(isLogoutTokenType(undefined, true)).toBe(true);
    expect(isLogoutTokenType('JWT', true)).toBe(true);
    expect(isLogoutTokenType('at+jwt', true)).toBe(false);
  });
});

describe('checkLogoutTokenClaims', () => {
  it('returns a valid claim set as it is', () => {
    const claims = valid();
    expect(checkLogoutTokenClaims(claims, context, checks)).toBe(claims);
  });

  it.each([
    ['nonce', { nonce: 'x' }, { code: 'ERR_CLAIM_INVALID', claim: 'nonce' }],
    ['no events', { events: undefined }, { code: 'ERR_CLAIM_INVALID', claim: 'events' }],
    ['neither sub nor sid', { sid: undefined }, { code: 'ERR_CLAIM_INVALID', claim: 'sid' }],
    ['no jti', { jti: undefined }, { code: 'ERR_CLAIM_INVALID', claim: 'jti' }],
    ['no exp', { exp: undefined }, { code: 'ERR_CLAIM_INVALID', claim: 'exp' }],
    ['exp too far ahead', { exp: NOW + 186 }, { code: 'ERR_TOKEN_EXPIRED' }],
    ['exp passed', { exp: NOW - 6 }, { code: 'ERR_TOKEN_EXPIRED' }],
    ['another issuer', { iss: 'https://idp.example/' }, { code: 'ERR_CLAIM_ISSUER' }],
    ['another audience', { aud: ['other'] }, { code: 'ERR_CLAIM_AUDIENCE' }],
  ])('refuses %s', (_name, overrides, expected) => {
    expect(refusal({ ...valid(), ...overrides })).toMatchObject(expected);
  });

  it('accepts exp at the lifetime bound plus tolerance', () => {
    expect(refusal({ ...valid(), exp: NOW + 185 })).toBe('accepted');
  });
});
