/**
 * Promise 6: clock skew. Tokens are accepted only within the configured tolerance. Nothing
 * here touches the machine's clock: the IdP (and its memory store) and the SDK verifier each
 * get an injected clock, both frozen at one whole second of real time, and each row of a
 * table sets how far the IdP runs ahead of or behind the verifier, and how much time passes.
 *
 * The SDK's documented rule (clockToleranceSec, `claims.ts`), in whole seconds:
 * - `exp` passed: refused once now - tolerance >= exp (TokenExpiredError);
 * - `iat`/`nbf` in the future: refused once iat > now + tolerance (TokenNotYetValidError);
 * - ID tokens with maxAgeSec: refused once auth_time + maxAgeSec < now - tolerance
 *   (TokenExpiredError), or auth_time > now + tolerance (TokenNotYetValidError).
 * So exactly at the tolerance a token is still accepted on the `iat`/`auth_time` side and
 * already refused on the `exp` side (RFC 7519 §4.1.4: "on or after" expiry it is expired).
 */
import {
  createVerifier,
  TokenExpiredError,
  TokenNotYetValidError,
  type Verifier,
} from '@latchkey/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeUrl, createBrowser } from '../src/test-support/browser.js';
import {
  codeFor,
  ISSUER,
  redeem,
  refresh,
  SHOP,
  signIn,
  WIKI_API,
} from '../src/test-support/grants.js';
import { createMemoryStore } from '../src/store/memory-store.js';
import { sessionCookieFor, startTestIdp, type TestIdp } from '../src/test-support/test-idp.js';

const TOLERANCE_SEC = 30;
const ACCESS_TTL_SEC = 300;
const ID_TTL_SEC = 300;
const REFRESH_TTL_SEC = 600;
const CODE_TTL_SEC = 60;

/** Real time, to the whole second, so that claim arithmetic in seconds is exact. */
const BASE_MS = Math.floor(Date.now() / 1000) * 1000;
/** Virtual time elapsed since BASE_MS, on both clocks. */
let elapsedMs = 0;
/** How far the IdP's clock runs ahead of the verifier's (negative: behind). */
let idpSkewMs = 0;
const idpNow = () => BASE_MS + elapsedMs + idpSkewMs;
const verifierNow = () => BASE_MS + elapsedMs;

let idp: TestIdp;
let verifier: Verifier;

beforeAll(async () => {
  idp = await startTestIdp(
    {
      ACCESS_TOKEN_TTL: `${ACCESS_TTL_SEC}s`,
      ID_TOKEN_TTL: `${ID_TTL_SEC}s`,
      REFRESH_TOKEN_TTL: `${REFRESH_TTL_SEC}s`,
      SESSION_IDLE_TTL: '1h',
      SESSION_MAX_TTL: '12h',
    },
    createMemoryStore({ now: idpNow }),
    { now: idpNow },
  );
  verifier = createVerifier({
    issuer: ISSUER,
    audience: WIKI_API,
    clientId: SHOP.id,
    jwksUri: `${idp.url}/jwks`,
    clockToleranceSec: TOLERANCE_SEC,
    now: verifierNow,
  });
});
afterAll(() => idp?.close());

/** Tokens for the shop, issued now by the IdP's clock, for a login `authAgoSec` earlier. */
async function issueTokens(
  options: { authAgoSec?: number; nonce?: string } = {},
): Promise<Record<string, string>> {
  const { session } = await signIn(
    idp,
    { username: 'alice' },
    idpNow() - (options.authAgoSec ?? 0) * 1000,
  );
  const code = await codeFor(idp.store, session, SHOP, {
    scope: ['openid', 'profile'],
    ...(options.nonce !== undefined && { nonce: options.nonce }),
  });
  const result = await redeem(idp, code, SHOP);
  expect(result.status).toBe(200);
  return result.json as Record<string, string>;
}

type Outcome = 'accepted' | typeof TokenExpiredError | typeof TokenNotYetValidError;

/** Each row with its expected outcome as a word, for the test's name. */
const named = <Row extends { expected: Outcome }>(rows: Row[]) =>
  rows.map((row) => ({
    ...row,
    outcome: row.expected === 'accepted' ? 'accepted' : row.expected.name,
  }));

/** The outcome (an Outcome), or the unexpected error itself so that a failure shows it. */
async function outcomeOf(verification: Promise<unknown>): Promise<unknown> {
  try {
    await verification;
    return 'accepted';
  } catch (error) {
    if (error instanceof TokenNotYetValidError) return TokenNotYetValidError;
    if (error instanceof TokenExpiredError) return TokenExpiredError;
    return error;
  }
}

describe('promise 6: the SDK accepts tokens only within its clock tolerance', () => {
  const T = TOLERANCE_SEC;
  const rows: Array<{
    name: string;
    /** IdP clock minus verifier clock when the token is issued, seconds. */
    idpAheadSec: number;
    /** Seconds that pass (on both clocks) between issue and verification. */
    laterSec: number;
    expected: Outcome;
  }> = [
    { name: 'clocks in sync', idpAheadSec: 0, laterSec: 0, expected: 'accepted' },
    {
      name: 'IdP ahead by less than the tolerance',
      idpAheadSec: T - 1,
      laterSec: 0,
      expected: 'accepted',
    },
    {
      name: 'IdP ahead by exactly the tolerance (iat = now + tolerance)',
      idpAheadSec: T,
      laterSec: 0,
      expected: 'accepted',
    },
    {
      name: 'IdP ahead by one second more than the tolerance: iat in the future',
      idpAheadSec: T + 1,
      laterSec: 0,
      expected: TokenNotYetValidError,
    },
    {
      name: 'IdP ahead by ten minutes',
      idpAheadSec: 600,
      laterSec: 0,
      expected: TokenNotYetValidError,
    },
    {
      name: 'IdP ahead beyond the tolerance, accepted once the verifier catches up',
      idpAheadSec: T + 10,
      laterSec: 10,
      expected: 'accepted',
    },
    {
      name: 'IdP behind by less than the tolerance',
      idpAheadSec: -(T - 1),
      laterSec: 0,
      expected: 'accepted',
    },
    {
      name: 'verifier ahead by the remaining lifetime + tolerance - 1 s',
      idpAheadSec: -(ACCESS_TTL_SEC + T - 1),
      laterSec: 0,
      expected: 'accepted',
    },
    {
      name: 'verifier ahead by exactly the remaining lifetime + tolerance (exp = now - tolerance)',
      idpAheadSec: -(ACCESS_TTL_SEC + T),
      laterSec: 0,
      expected: TokenExpiredError,
    },
    {
      name: 'clocks in sync, verified lifetime + tolerance - 1 s later',
      idpAheadSec: 0,
      laterSec: ACCESS_TTL_SEC + T - 1,
      expected: 'accepted',
    },
    {
      name: 'clocks in sync, verified exactly lifetime + tolerance later',
      idpAheadSec: 0,
      laterSec: ACCESS_TTL_SEC + T,
      expected: TokenExpiredError,
    },
    {
      name: 'IdP behind by an hour',
      idpAheadSec: -3600,
      laterSec: 0,
      expected: TokenExpiredError,
    },
  ];

  it.each(named(rows))(
    'access token (and its ID token): $name → $outcome',
    async ({ idpAheadSec, laterSec, expected }) => {
      elapsedMs = 0;
      idpSkewMs = idpAheadSec * 1000;
      const tokens = await issueTokens();
      elapsedMs = laterSec * 1000;
      expect(await outcomeOf(verifier.verifyAccessToken(tokens.access_token!))).toBe(expected);
      // The ID token issued with it follows the same rule (same iat; ID_TOKEN_TTL = ACCESS_TOKEN_TTL).
      expect(await outcomeOf(verifier.verifyIdToken(tokens.id_token!))).toBe(expected);
    },
  );
});

describe('promise 6: ID tokens with maxAgeSec (auth_time) under skew', () => {
  const T = TOLERANCE_SEC;
  const MAX_AGE = 120;
  const rows: Array<{
    name: string;
    idpAheadSec: number;
    /** How long before the token was issued the user logged in, by the IdP's clock. */
    authAgoSec: number;
    expected: Outcome;
  }> = [
    { name: 'fresh login, clocks in sync', idpAheadSec: 0, authAgoSec: 0, expected: 'accepted' },
    {
      name: 'login exactly maxAge + tolerance ago (auth_time + maxAge = now - tolerance)',
      idpAheadSec: 0,
      authAgoSec: MAX_AGE + T,
      expected: 'accepted',
    },
    {
      name: 'login maxAge + tolerance + 1 s ago',
      idpAheadSec: 0,
      authAgoSec: MAX_AGE + T + 1,
      expected: TokenExpiredError,
    },
    {
      name: 'login maxAge ago by an IdP behind by the tolerance',
      idpAheadSec: -T,
      authAgoSec: MAX_AGE,
      expected: 'accepted',
    },
    {
      name: 'login maxAge ago by an IdP behind by tolerance + 1 s',
      idpAheadSec: -(T + 1),
      authAgoSec: MAX_AGE,
      expected: TokenExpiredError,
    },
    {
      name: 'login "just now" by an IdP ahead by exactly the tolerance',
      idpAheadSec: T,
      authAgoSec: 0,
      expected: 'accepted',
    },
    {
      name: 'login "just now" by an IdP ahead by tolerance + 1 s (iat and auth_time in the future)',
      idpAheadSec: T + 1,
      authAgoSec: 0,
      expected: TokenNotYetValidError,
    },
    {
      name: 'auth_time alone in the future by tolerance + 1 s (iat fine)',
      idpAheadSec: 0,
      authAgoSec: -(T + 1),
      expected: TokenNotYetValidError,
    },
    {
      name: 'auth_time alone in the future by exactly the tolerance',
      idpAheadSec: 0,
      authAgoSec: -T,
      expected: 'accepted',
    },
  ];

  it.each(named(rows))(
    `ID token, maxAgeSec ${MAX_AGE}: $name → $outcome`,
    async ({ idpAheadSec, authAgoSec, expected }) => {
      elapsedMs = 0;
      idpSkewMs = idpAheadSec * 1000;
      const tokens = await issueTokens({ authAgoSec, nonce: 'n-1' });
      const verification = verifier.verifyIdToken(tokens.id_token!, {
        nonce: 'n-1',
        maxAgeSec: MAX_AGE,
      });
      expect(await outcomeOf(verification)).toBe(expected);
    },
  );
});

describe("promise 6: the IdP's own time checks follow its (offset) clock, not the machine's", () => {
  // The IdP's clock an hour behind, in step with, and an hour ahead of the machine's: every
  // check below must flip at the same moment of the IdP's own clock.
  const offsets = [
    { name: 'an hour behind', skewSec: -3600 },
    { name: 'in step', skewSec: 0 },
    { name: 'an hour ahead', skewSec: 3600 },
  ];

  async function redeemAfter(seconds: number) {
    const { session } = await signIn(idp, { username: 'alice' }, idpNow());
    const code = await codeFor(idp.store, session, SHOP);
    elapsedMs += seconds * 1000;
    return redeem(idp, code, SHOP);
  }

  it.each(offsets)(
    'IdP clock $name: an authorization code redeems at 59 s and is dead at 60 s',
    async ({ skewSec }) => {
      elapsedMs = 0;
      idpSkewMs = skewSec * 1000;
      expect((await redeemAfter(CODE_TTL_SEC - 1)).status).toBe(200);
      const late = await redeemAfter(CODE_TTL_SEC);
      expect({ status: late.status, error: late.json.error }).toEqual({
        status: 400,
        error: 'invalid_grant',
      });
    },
  );

  it.each(offsets)(
    'IdP clock $name: /authorize with max_age=120 signs in silently at 120 s, asks for a login at 121 s',
    async ({ skewSec }) => {
      elapsedMs = 0;
      idpSkewMs = skewSec * 1000;
      const { session } = await signIn(idp, { username: 'alice' }, idpNow());
      const browser = createBrowser();
      const attempt = async () => {
        const { url } = authorizeUrl(idp.url, {
          clientId: SHOP.id,
          redirectUri: SHOP.redirectUri,
          extra: { prompt: 'none', max_age: '120' },
        });
        browser.setCookie(idp.url, 'latchkey_session', sessionCookieFor(idp, session.sid));
        const response = await browser.fetch(url);
        expect(response.status).toBe(303);
        const location = new URL(response.headers.get('location')!);
        return location.searchParams.get('code') ? 'code' : location.searchParams.get('error');
      };
      elapsedMs = 120_000;
      expect(await attempt()).toBe('code');
      elapsedMs = 121_000;
      expect(await attempt()).toBe('login_required');
    },
  );

  it.each(offsets)(
    'IdP clock $name: a refresh token works at REFRESH_TOKEN_TTL - 1 s and is dead at REFRESH_TOKEN_TTL',
    async ({ skewSec }) => {
      idpSkewMs = skewSec * 1000;
      const refreshAfter = async (seconds: number) => {
        elapsedMs = 0;
        const tokens = await issueTokens();
        elapsedMs = seconds * 1000;
        return refresh(idp, tokens.refresh_token!, SHOP);
      };
      expect((await refreshAfter(REFRESH_TTL_SEC - 1)).status).toBe(200);
      const late = await refreshAfter(REFRESH_TTL_SEC);
      expect({ status: late.status, error: late.json.error }).toEqual({
        status: 400,
        error: 'invalid_grant',
      });
    },
  );

  it.each(offsets)(
    'IdP clock $name: /userinfo takes an access token until ACCESS_TOKEN_TTL - 1 s, not at ACCESS_TOKEN_TTL',
    async ({ skewSec }) => {
      elapsedMs = 0;
      idpSkewMs = skewSec * 1000;
      const tokens = await issueTokens();
      const userinfo = () =>
        fetch(`${idp.url}/userinfo`, {
          headers: { Authorization: `Bearer ${tokens.access_token!}` },
        });
      elapsedMs = (ACCESS_TTL_SEC - 1) * 1000;
      expect((await userinfo()).status).toBe(200);
      elapsedMs = ACCESS_TTL_SEC * 1000;
      expect((await userinfo()).status).toBe(401);
    },
  );
});
