import { createHmac, createPublicKey } from 'node:crypto';
import { BACKCHANNEL_LOGOUT_EVENT } from '@latchkey/protocol';
import type { JWTPayload } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryReplayCache, type ReplayCache } from './logout/replay-cache.js';
import { CLIENT_ID, createFixture, type Fixture } from './test-support/fixture.js';
import { b64, payloadOf, sign, signRaw } from './test-support/keys.js';
import { logoutClaims, signLogout } from './test-support/logout-tokens.js';
import type { Verifier } from './verifier.js';
import type { VerifierOptions } from './verifier-options.js';

/**
 * verifyLogoutToken against OpenID Connect Back-Channel Logout 1.0 §2.6, one block per
 * validation step, with tokens signed by real keys served over loopback.
 */

let f: Fixture;
beforeAll(async () => {
  f = await createFixture();
});
afterAll(() => f.idp.close());
beforeEach(() => f.reset());

const verifier = (overrides: Partial<VerifierOptions> = {}): Verifier => f.verifier(overrides);
const claims = (overrides: JWTPayload = {}): JWTPayload => logoutClaims(f, overrides);

async function expectRefused(token: string, code: string, v = verifier()): Promise<unknown> {
  const error: unknown = await v.verifyLogoutToken(token).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toMatchObject({ code });
  return error;
}

describe('a valid logout token', () => {
  it('is accepted and its claims returned', async () => {
    const token = await signLogout(f, claims());
    await expect(verifier().verifyLogoutToken(token)).resolves.toEqual(payloadOf(token));
  });
});

describe('§2.6 step 2: the signature is validated with the ID-token keys', () => {
  it('accepts a token signed with the ID-token key (RS256 by default)', async () => {
    const token = await signLogout(f, logoutClaims(f), { key: f.keys.rs256 });
    await expect(verifier().verifyLogoutToken(token)).resolves.toMatchObject({ sid: 'sid-1' });
  });

  it.each(['es256', 'eddsa'] as const)(
    'accepts %s when the client registered it as its ID-token alg',
    async (name) => {
      const key = f.keys[name];
      const v = verifier({ logoutToken: { algorithms: [key.alg] } });
      const token = await signLogout(f, claims(), { key });
      await expect(v.verifyLogoutToken(token)).resolves.toMatchObject({ sid: 'sid-1' });
    },
  );

  it('refuses a key the IdP does not publish', async () => {
    const es = verifier({ logoutToken: { algorithms: ['ES256'] } });
    const token = await signLogout(f, claims(), { key: f.keys.rogue });
    await expectRefused(token, 'ERR_KEY_NOT_FOUND', es);
  });

  it('refuses a signature by another key under a published kid', async () => {
    const es = verifier({ logoutToken: { algorithms: ['ES256'] } });
    const token = signRaw(f.keys.rogue, { alg: 'ES256', kid: 'es-1', typ: 'logout+jwt' }, claims());
    await expectRefused(token, 'ERR_SIGNATURE_INVALID', es);
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const token = await signLogout(f, claims({ sid: 'sid-1' }));
    const [header, , signature] = token.split('.');
    const forged = `${header}.${b64(claims({ sid: 'sid-other' }))}.${signature}`;
    await expectRefused(forged, 'ERR_SIGNATURE_INVALID');
  });
});

describe('§2.6 step 3: alg as for ID tokens, never none or HMAC', () => {
  it('refuses an unsigned token (alg none)', async () => {
    const token = `${b64({ alg: 'none', kid: 'rs-1', typ: 'logout+jwt' })}.${b64(claims())}.`;
    await expectRefused(token, 'ERR_TOKEN_ALGORITHM');
  });

  it.each(['es256', 'rs256'] as const)(
    'refuses HS256 keyed with the %s public key (PEM or JWK JSON)',
    async (name) => {
      const key = f.keys[name];
      const pem = createPublicKey({ key: key.publicJwk as never, format: 'jwk' })
        .export({ type: 'spki', format: 'pem' })
        .toString();
      for (const secret of [pem, JSON.stringify(key.publicJwk)]) {
        const input = `${b64({ alg: 'HS256', kid: key.kid, typ: 'logout+jwt' })}.${b64(claims())}`;
        const token = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
        await expectRefused(token, 'ERR_TOKEN_ALGORITHM');
      }
    },
  );

  it('rp-backchannel-rpinitlogout-lt-wrong-alg: refuses a published key of another alg', async () => {
    // ES256 is the access-token key: published and trusted, but not for this client's logouts.
    const token = await signLogout(f, claims(), { key: f.keys.es256 });
    await expectRefused(token, 'ERR_TOKEN_ALGORITHM');
    const rs = verifier({ logoutToken: { algorithms: ['ES256'] } });
    await expectRefused(await signLogout(f, claims()), 'ERR_TOKEN_ALGORITHM', rs);
  });

  it('a verifier narrowed away from RS256 constructs, and takes no logout token by default', async () => {
    const narrowed = verifier({ algorithms: ['ES256'] });
    await expectRefused(await signLogout(f, claims()), 'ERR_TOKEN_ALGORITHM', narrowed);
  });
});

describe('§2.4 typ: logout+jwt, strictly by default', () => {
  it.each(['logout+jwt', 'application/logout+jwt', 'Logout+JWT'])('accepts typ %j', async (typ) => {
    const token = await signLogout(f, claims(), { typ });
    await expect(verifier().verifyLogoutToken(token)).resolves.toMatchObject({ sub: 'user-1' });
  });

  it.each([undefined, 'JWT', 'at+jwt', 'secevent+jwt'])('refuses typ %j', async (typ) => {
    await expectRefused(await signLogout(f, claims(), { typ }), 'ERR_TOKEN_TYPE');
  });

  it('with requireExplicitType false accepts an untyped or JWT token, still not at+jwt', async () => {
    const loose = verifier({ logoutToken: { requireExplicitType: false } });
    for (const typ of [undefined, 'JWT']) {
      const token = await signLogout(f, claims(), { typ });
      await expect(loose.verifyLogoutToken(token)).resolves.toMatchObject({ sid: 'sid-1' });
    }
    await expectRefused(await signLogout(f, claims(), { typ: 'at+jwt' }), 'ERR_TOKEN_TYPE', loose);
  });

  it('§4.1 cross-JWT confusion: an ID token is no logout token, nor the reverse', async () => {
    const idToken = await sign(
      f.keys.rs256,
      f.idClaims({ sid: 'sid-1', jti: 'id-1', exp: f.nowSec() + 60 }),
      { typ: undefined },
    );
    await expectRefused(idToken, 'ERR_TOKEN_TYPE');
    const loose = verifier({ logoutToken: { requireExplicitType: false } });
    const error = await expectRefused(idToken, 'ERR_CLAIM_INVALID', loose);
    expect(error).toMatchObject({ claim: 'events' });
    const logoutToken = await signLogout(f, claims());
    await expect(verifier().verifyIdToken(logoutToken)).rejects.toMatchObject({
      code: 'ERR_TOKEN_TYPE',
    });
    await expect(verifier().verifyAccessToken(logoutToken)).rejects.toMatchObject({
      code: 'ERR_TOKEN_TYPE',
    });
  });
});

describe('§2.6 step 4: iss, aud, iat and exp as for an ID token', () => {
  it('refuses a token from another issuer', async () => {
    const token = await signLogout(f, claims({ iss: 'https://evil.example' }));
    await expectRefused(token, 'ERR_CLAIM_ISSUER');
  });

  it('refuses a token for another audience', async () => {
    await expectRefused(await signLogout(f, claims({ aud: 'other-app' })), 'ERR_CLAIM_AUDIENCE');
  });

  it('accepts several audiences naming this client, refuses an azp of another', async () => {
    const token = await signLogout(f, claims({ aud: ['other-app', CLIENT_ID] }));
    await expect(verifier().verifyLogoutToken(token)).resolves.toMatchObject({ sid: 'sid-1' });
    const azp = await signLogout(f, claims({ aud: [CLIENT_ID], azp: 'other-app' }));
    await expectRefused(azp, 'ERR_CLAIM_AUDIENCE');
  });

  it.each(['iss', 'aud', 'iat', 'exp'])('refuses a token without %s', async (name) => {
    const error = await expectRefused(
      await signLogout(f, claims({ [name]: undefined })),
      'ERR_CLAIM_INVALID',
    );
    expect(error).toMatchObject({ claim: name });
  });

  it('refuses an iat in the future', async () => {
    const token = await signLogout(f, claims({ iat: f.nowSec() + 60 }));
    await expectRefused(token, 'ERR_TOKEN_NOT_YET_VALID');
  });

  it('refuses an expired token, accepts one within the clock tolerance', async () => {
    const expired = await signLogout(f, claims({ iat: f.nowSec() - 180, exp: f.nowSec() - 60 }));
    await expectRefused(expired, 'ERR_TOKEN_EXPIRED');
    const justNow = await signLogout(f, claims({ iat: f.nowSec() - 120, exp: f.nowSec() - 2 }));
    await expect(verifier().verifyLogoutToken(justNow)).resolves.toMatchObject({ sid: 'sid-1' });
  });

  it('refuses an exp further ahead than maxLifetimeSec (default 180 s)', async () => {
    const long = await signLogout(f, claims({ exp: f.nowSec() + 3600 }));
    await expectRefused(long, 'ERR_TOKEN_EXPIRED');
    const edge = await signLogout(f, claims({ exp: f.nowSec() + 180 }));
    await expect(verifier().verifyLogoutToken(edge)).resolves.toMatchObject({ sid: 'sid-1' });
    const wider = verifier({ logoutToken: { maxLifetimeSec: 600 } });
    await expect(
      wider.verifyLogoutToken(await signLogout(f, claims({ exp: f.nowSec() + 500 }))),
    ).resolves.toMatchObject({ sid: 'sid-1' });
  });
});

describe('§2.6 step 5: sub, sid or both', () => {
  it.each([
    ['sid only', { sub: undefined }],
    ['sub only', { sid: undefined }],
    ['both', {}],
  ])('accepts %s', async (_name, overrides) => {
    const token = await signLogout(f, claims(overrides));
    await expect(verifier().verifyLogoutToken(token)).resolves.toEqual(payloadOf(token));
  });

  it('refuses a token with neither sub nor sid', async () => {
    const token = await signLogout(f, claims({ sub: undefined, sid: undefined }));
    await expectRefused(token, 'ERR_CLAIM_INVALID');
  });

  it.each([
    ['an empty sid', { sid: '' }],
    ['an empty sub', { sub: '' }],
    ['a numeric sid', { sid: 42 }],
  ])('refuses %s', async (_name, overrides) => {
    await expectRefused(await signLogout(f, claims(overrides)), 'ERR_CLAIM_INVALID');
  });
});

describe('§2.6 step 6: events holds the back-channel logout member, a JSON object', () => {
  it.each([
    ['no events', undefined],
    ['events an array', [BACKCHANNEL_LOGOUT_EVENT]],
    ['events a string', BACKCHANNEL_LOGOUT_EVENT],
    ['events without the member', { 'https://example.test/other-event': {} }],
    ['the member true', { [BACKCHANNEL_LOGOUT_EVENT]: true }],
    ['the member an array', { [BACKCHANNEL_LOGOUT_EVENT]: [] }],
    ['the member null', { [BACKCHANNEL_LOGOUT_EVENT]: null }],
  ])('refuses %s', async (_name, events) => {
    const error = await expectRefused(
      await signLogout(f, claims({ events: events as JWTPayload['events'] })),
      'ERR_CLAIM_INVALID',
    );
    expect(error).toMatchObject({ claim: 'events' });
  });

  it('accepts other events next to it (members not understood are ignored)', async () => {
    const events = { [BACKCHANNEL_LOGOUT_EVENT]: {}, 'https://example.test/other': { a: 1 } };
    const token = await signLogout(f, claims({ events }));
    await expect(verifier().verifyLogoutToken(token)).resolves.toMatchObject({ events });
  });
});

describe('§2.6 step 7: no nonce', () => {
  it.each([
    ['a nonce', 'n-1'],
    ['an empty nonce', ''],
    ['a null nonce', null],
  ])('refuses %s', async (_name, nonce) => {
    const error = await expectRefused(
      await signLogout(f, claims({ nonce: nonce as string })),
      'ERR_CLAIM_INVALID',
    );
    expect(error).toMatchObject({ claim: 'nonce' });
  });
});

describe('§2.6 step 8: jti, and a replay refused', () => {
  it('refuses a token without jti', async () => {
    const error = await expectRefused(
      await signLogout(f, claims({ jti: undefined })),
      'ERR_CLAIM_INVALID',
    );
    expect(error).toMatchObject({ claim: 'jti' });
  });

  it('refuses the same token a second time', async () => {
    const v = verifier();
    const token = await signLogout(f, claims());
    await expect(v.verifyLogoutToken(token)).resolves.toMatchObject({ sid: 'sid-1' });
    await expectRefused(token, 'ERR_TOKEN_REPLAYED', v);
  });

  it('refuses another token reusing an accepted jti', async () => {
    const v = verifier();
    await v.verifyLogoutToken(await signLogout(f, claims({ jti: 'jti-1' })));
    const again = await signLogout(f, claims({ jti: 'jti-1', sid: 'sid-2' }));
    await expectRefused(again, 'ERR_TOKEN_REPLAYED', v);
  });

  it('a refused token does not use up its jti', async () => {
    const v = verifier();
    await expectRefused(
      await signLogout(f, claims({ jti: 'jti-2', aud: 'x' })),
      'ERR_CLAIM_AUDIENCE',
      v,
    );
    const good = await signLogout(f, claims({ jti: 'jti-2' }));
    await expect(v.verifyLogoutToken(good)).resolves.toMatchObject({ jti: 'jti-2' });
  });

  it('instances sharing one replay cache refuse each other’s tokens', async () => {
    const shared = createMemoryReplayCache({ now: () => f.clock.ms });
    const [a, b] = [1, 2].map(() => verifier({ logoutToken: { replayCache: shared } }));
    const token = await signLogout(f, claims());
    await expect(a!.verifyLogoutToken(token)).resolves.toMatchObject({ sid: 'sid-1' });
    await expectRefused(token, 'ERR_TOKEN_REPLAYED', b);
  });

  it('remembers the jti until exp plus tolerance, hashed with the issuer', async () => {
    const calls: [string, number][] = [];
    const recording: ReplayCache = {
      remember: (key, expiresAtMs) => {
        calls.push([key, expiresAtMs]);
        return true;
      },
    };
    const exp = f.nowSec() + 100;
    await verifier({ logoutToken: { replayCache: recording } }).verifyLogoutToken(
      await signLogout(f, claims({ jti: 'jti-3', exp })),
    );
    expect(calls).toHaveLength(1);
    expect(calls[0]![1]).toBe((exp + 5) * 1000);
    expect(calls[0]![0]).toMatch(/^[\w-]{43}$/);
    expect(calls[0]![0]).not.toContain('jti-3');
  });

  it('a replay cache that cannot answer is a 503, never an acceptance', async () => {
    const broken: ReplayCache = { remember: () => Promise.reject(new Error('down')) };
    const token = await signLogout(f, claims());
    await expectRefused(
      token,
      'ERR_VERIFICATION_UNAVAILABLE',
      verifier({ logoutToken: { replayCache: broken } }),
    );
    const confused = { remember: () => 'yes' } as unknown as ReplayCache;
    await expectRefused(
      token,
      'ERR_TOKEN_REPLAYED',
      verifier({ logoutToken: { replayCache: confused } }),
    );
  });
});

describe('options', () => {
  it('verifyLogoutToken needs clientId (TypeError)', async () => {
    const token = await signLogout(f, claims());
    await expect(verifier({ clientId: undefined }).verifyLogoutToken(token)).rejects.toThrow(
      TypeError,
    );
  });

  it.each([
    [{ requireExplicitType: 'yes' }],
    [{ maxLifetimeSec: 0 }],
    [{ maxLifetimeSec: 601 }],
    [{ replayCache: {} }],
    [{ algorithms: [] }],
    [{ algorithms: ['HS256'] }],
    [{ algorithms: ['EdDSA'] }],
  ])('refuses logoutToken %j (TypeError)', (logoutToken) => {
    // EdDSA: not among this verifier's algorithms.
    const options = { algorithms: ['ES256', 'RS256'] as const };
    expect(() =>
      verifier({ algorithms: [...options.algorithms], logoutToken: logoutToken as never }),
    ).toThrow(TypeError);
  });
});
