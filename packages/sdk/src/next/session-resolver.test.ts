import { randomBytes } from 'node:crypto';
import { accessTokenHash, type AccessTokenClaims } from '@latchkey/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IdpUnavailableError, TokenRequestError, TokenRevokedError } from '../errors.js';
import { AUDIENCE, CLIENT_ID, createFixture, type Fixture } from '../test-support/fixture.js';
import { sign } from '../test-support/keys.js';
import { resolveNextOptions } from './options.js';
import { createSealer } from './sealed-value.js';
import { createSessionResolver, type SessionResolver } from './session-resolver.js';
import type { TokenClient, TokenSet } from './token-client.js';

/**
 * The session logic on the fixture's keys and clock. The token endpoint is an in-process
 * function that counts calls and rotates refresh tokens the way the IdP does (a spent one is
 * refused); the browser tests run the same logic against the real IdP.
 */

let f: Fixture;
beforeAll(async () => {
  f = await createFixture();
});
afterAll(() => f.idp.close());
beforeEach(() => f.reset());

const SID = 'sid-1';
const revokedSids = new Set<string>();

/** Fresh options, with a session key of their own. */
const nextOptions = () =>
  resolveNextOptions({
    issuer: f.idp.issuer,
    appUrl: 'http://app.localhost:3000',
    clientId: CLIENT_ID,
    clientSecret: 'secret',
    audience: AUDIENCE,
    sessionSecret: randomBytes(32).toString('base64url'),
    redisUrl: 'redis://127.0.0.1:1',
    logger: { warn() {} },
  });

function setup() {
  const resolved = nextOptions();
  const verifier = f.verifier({
    revocation: {
      check(claims: AccessTokenClaims) {
        if (claims.sid !== undefined && revokedSids.has(claims.sid)) {
          throw new TokenRevokedError('revoked');
        }
      },
    },
  });
  const endpoint = { calls: 0, live: 'rt-0', mode: 'ok' as 'ok' | 'down' | 'slow' };
  const tokens: TokenClient = async (params) => {
    endpoint.calls += 1;
    if (endpoint.mode === 'down') throw new IdpUnavailableError('down');
    if (endpoint.mode === 'slow') await new Promise((r) => setTimeout(r, 50));
    // Like the IdP: only the latest refresh token of the family works.
    if (params.refresh_token !== endpoint.live) throw new TokenRequestError('invalid_grant', 400);
    endpoint.live = `rt-${endpoint.calls}`;
    return issue(endpoint.live);
  };
  const sealer = createSealer(resolved.sessionKey);
  const sessions = createSessionResolver({
    options: resolved,
    verifier,
    ready: () => Promise.resolve(),
    tokens,
    sealer,
    now: () => f.clock.ms,
  });
  return { sessions, endpoint };
}

async function issue(refreshToken: string | undefined, ttlSec = 300): Promise<TokenSet> {
  const accessToken = await sign(
    f.keys.es256,
    f.accessClaims({ sid: SID, exp: f.nowSec() + ttlSec, preferred_username: 'alice' }),
  );
  const idToken = await sign(
    f.keys.rs256,
    f.idClaims({
      sid: SID,
      at_hash: accessTokenHash(accessToken, 'RS256'),
      amr: ['pwd', 'otp', 'mfa'],
      acr: 'urn:latchkey:acr:mfa',
    }),
    { typ: undefined },
  );
  return { accessToken, refreshToken, idToken };
}

async function cookieFor(sessions: SessionResolver, ttlSec: number): Promise<string> {
  const set = await issue('rt-0', ttlSec);
  return sessions.seal({
    at: set.accessToken,
    rt: 'rt-0',
    it: set.idToken,
    sub: 'user-1',
    sid: SID,
  });
}

describe('session resolution', () => {
  it('accepts a fresh session without calling the IdP', async () => {
    const { sessions, endpoint } = setup();
    const state = await sessions.resolve(await cookieFor(sessions, 300), true);
    expect(state).toMatchObject({
      kind: 'active',
      session: { username: 'alice', sid: SID, kid: 'es-1', alg: 'ES256' },
    });
    expect(state).not.toHaveProperty('cookie');
    expect(endpoint.calls).toBe(0);
  });

  it("exposes the ID token's amr and acr (OIDC Core §2) to the app", async () => {
    const { sessions } = setup();
    const state = await sessions.resolve(await cookieFor(sessions, 300), true);
    expect(state).toMatchObject({
      kind: 'active',
      session: { amr: ['pwd', 'otp', 'mfa'], acr: 'urn:latchkey:acr:mfa' },
    });
  });

  it('treats no cookie, a forged cookie and a cookie from another key as no session', async () => {
    const { sessions } = setup();
    const other = setup().sessions;
    expect(await sessions.resolve(undefined, true)).toEqual({ kind: 'none' });
    expect(await sessions.resolve('forged-value', true)).toEqual({ kind: 'none' });
    expect(await sessions.resolve(await cookieFor(other, 300), true)).toEqual({ kind: 'none' });
  });

  it('refreshes a token about to expire, once for 50 parallel requests, and all see the new token', async () => {
    const { sessions, endpoint } = setup();
    endpoint.mode = 'slow';
    const cookie = await cookieFor(sessions, 30);
    const states = await Promise.all(
      Array.from({ length: 50 }, () => sessions.resolve(cookie, true)),
    );
    expect(endpoint.calls).toBe(1);
    const tokens = new Set(
      states.map((s) => (s.kind === 'active' ? s.session.accessToken : s.kind)),
    );
    expect(tokens.size).toBe(1);
    expect(states.every((s) => s.kind === 'active' && s.cookie !== undefined)).toBe(true);
  });

  it('a request that still carries the old cookie after the refresh gets the same new tokens', async () => {
    const { sessions, endpoint } = setup();
    const cookie = await cookieFor(sessions, 30);
    const first = await sessions.resolve(cookie, true);
    const late = await sessions.resolve(cookie, true);
    expect(endpoint.calls).toBe(1);
    expect(late).toEqual(first);
    // And the new cookie carries the rotated refresh token onwards.
    const next = first.kind === 'active' ? first.cookie : undefined;
    expect(sessions.read(next)?.rt).toBe('rt-1');
  });

  it('refreshes an expired access token', async () => {
    const { sessions, endpoint } = setup();
    const cookie = await cookieFor(sessions, 10);
    f.clock.ms += 60_000;
    expect(await sessions.resolve(cookie, true)).toMatchObject({ kind: 'active' });
    expect(endpoint.calls).toBe(1);
  });

  it('never refreshes for a caller that cannot store the cookie; an expired token ends the session', async () => {
    const { sessions, endpoint } = setup();
    const cookie = await cookieFor(sessions, 30);
    expect(await sessions.resolve(cookie, false)).toMatchObject({ kind: 'active' });
    f.clock.ms += 60_000;
    expect(await sessions.resolve(cookie, false)).toEqual({
      kind: 'ended',
      reason: 'ERR_TOKEN_EXPIRED',
    });
    expect(endpoint.calls).toBe(0);
  });

  it('ends a revoked session at once, without trying to refresh it', async () => {
    const { sessions, endpoint } = setup();
    const cookie = await cookieFor(sessions, 30);
    revokedSids.add(SID);
    try {
      expect(await sessions.resolve(cookie, true)).toEqual({
        kind: 'ended',
        reason: 'ERR_TOKEN_REVOKED',
      });
      expect(endpoint.calls).toBe(0);
    } finally {
      revokedSids.delete(SID);
    }
  });

  it('ends the session when the IdP refuses the refresh token', async () => {
    const { sessions, endpoint } = setup();
    endpoint.live = 'rt-elsewhere';
    const state = await sessions.resolve(await cookieFor(sessions, 30), true);
    expect(state).toEqual({ kind: 'ended', reason: 'ERR_TOKEN_REQUEST' });
  });

  it('keeps a still-valid token while the IdP is down, and answers unavailable once it expired', async () => {
    const { sessions, endpoint } = setup();
    endpoint.mode = 'down';
    const cookie = await cookieFor(sessions, 30);
    expect(await sessions.resolve(cookie, true)).toMatchObject({ kind: 'active' });
    f.clock.ms += 60_000;
    expect(await sessions.resolve(cookie, true)).toMatchObject({ kind: 'unavailable' });
  });

  it('answers unavailable, not signed out, when revocation state cannot be confirmed', async () => {
    const { sessions } = setup();
    const cookie = await cookieFor(sessions, 300);
    const stale = createSessionResolver({
      options: nextOptions(),
      verifier: f.verifier(),
      ready: () => Promise.reject(new IdpUnavailableError('not loaded')),
      tokens: () => Promise.reject(new Error('unused')),
      sealer: createSealer(randomBytes(32)),
    });
    expect(await stale.resolve(stale.seal(sessions.read(cookie)!), true)).toMatchObject({
      kind: 'unavailable',
    });
  });
});
