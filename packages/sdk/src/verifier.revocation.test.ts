import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RevocationStaleError, TokenRevokedError, VerificationUnavailableError } from './errors.js';
import type { RevocationCheckClaims, RevocationSource } from './revocation/revocation-source.js';
import { createFixture, type Fixture } from './test-support/fixture.js';
import { payloadOf, sign } from './test-support/keys.js';
import { createVerifier } from './verifier.js';

/**
 * How the verifier uses a revocation source, with a plain in-test source. The Redis source
 * itself is covered against a real Redis in revocation/*.integration.test.ts.
 */

let f: Fixture;
beforeAll(async () => {
  f = await createFixture();
});
afterAll(() => f.idp.close());
beforeEach(() => f.reset());

/** Revokes the sids in `revokedSids`; throws stale while `stale`; records every call. */
function recordingSource() {
  const source = {
    calls: [] as RevocationCheckClaims[],
    revokedSids: new Set<string>(),
    stale: false,
    check(claims: RevocationCheckClaims) {
      source.calls.push(claims);
      if (source.stale) throw new RevocationStaleError('stale');
      if (claims.sid !== undefined && source.revokedSids.has(claims.sid)) {
        throw new TokenRevokedError('revoked');
      }
    },
  };
  return source;
}

describe('createVerifier revocation option', () => {
  it.each<[string, unknown]>([
    ['null', null],
    ['an object without check', {}],
    ['check that is not a function', { check: true }],
    ['a function', () => undefined],
  ])('rejects %s with a TypeError', (_name, revocation) => {
    expect(() =>
      createVerifier({
        issuer: 'https://idp.example',
        audience: 'api',
        revocation: revocation as RevocationSource,
      }),
    ).toThrow(TypeError);
  });
});

describe('verifyAccessToken with a revocation source', () => {
  it('asks on every verification, also of a token it accepted before', async () => {
    const source = recordingSource();
    const verifier = f.verifier({ revocation: source });
    const token = await sign(f.keys.es256, f.accessClaims({ sid: 'sid-1' }));

    await expect(verifier.verifyAccessToken(token)).resolves.toEqual(payloadOf(token));
    source.revokedSids.add('sid-1');
    await expect(verifier.verifyAccessToken(token)).rejects.toBeInstanceOf(TokenRevokedError);
    expect(source.calls).toHaveLength(2);
    expect(source.calls[0]).toMatchObject({ sub: 'user-1', sid: 'sid-1', iat: f.nowSec() });
  });

  it('rejects with ERR_TOKEN_REVOKED, a TokenInvalidError (401)', async () => {
    const source = recordingSource();
    source.revokedSids.add('sid-1');
    const token = await sign(f.keys.es256, f.accessClaims({ sid: 'sid-1' }));
    await expect(f.verifier({ revocation: source }).verifyAccessToken(token)).rejects.toMatchObject(
      { code: 'ERR_TOKEN_REVOKED' },
    );
  });

  it('passes a stale source on as ERR_REVOCATION_STALE, a 503-family error', async () => {
    const source = recordingSource();
    source.stale = true;
    const token = await sign(f.keys.es256, f.accessClaims({ sid: 'sid-1' }));
    const result = f.verifier({ revocation: source }).verifyAccessToken(token);
    await expect(result).rejects.toBeInstanceOf(VerificationUnavailableError);
    await expect(result).rejects.toMatchObject({ code: 'ERR_REVOCATION_STALE' });
  });

  it('is not asked about a token that fails the signature or a claim check', async () => {
    const source = recordingSource();
    source.stale = true;
    const verifier = f.verifier({ revocation: source });
    const forged = await sign(f.keys.rogue, f.accessClaims(), { kid: 'es-1' });
    const expired = await sign(f.keys.es256, f.accessClaims({ exp: f.nowSec() - 60 }));

    await expect(verifier.verifyAccessToken(forged)).rejects.toMatchObject({
      code: 'ERR_SIGNATURE_INVALID',
    });
    await expect(verifier.verifyAccessToken(expired)).rejects.toMatchObject({
      code: 'ERR_TOKEN_EXPIRED',
    });
    expect(source.calls).toHaveLength(0);
  });
});

describe('verifyIdToken with a revocation source', () => {
  it('rejects an ID token whose session was revoked', async () => {
    const source = recordingSource();
    const verifier = f.verifier({ revocation: source });
    const token = await sign(f.keys.es256, f.idClaims({ sid: 'sid-1' }), { typ: undefined });

    await expect(verifier.verifyIdToken(token)).resolves.toEqual(payloadOf(token));
    source.revokedSids.add('sid-1');
    await expect(verifier.verifyIdToken(token)).rejects.toMatchObject({
      code: 'ERR_TOKEN_REVOKED',
    });
    expect(source.calls).toHaveLength(2);
  });
});
