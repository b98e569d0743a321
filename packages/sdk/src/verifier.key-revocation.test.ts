import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KeyRevokedError } from './errors.js';
import type { RevocationSource } from './revocation/revocation-source.js';
import { createFixture, type Fixture } from './test-support/fixture.js';
import { sign } from './test-support/keys.js';

/**
 * A revoked signing key, as the verifier's key source sees it, with a plain in-test source.
 * The Redis source and the IdP's `keys revoke` are covered end to end in
 * apps/idp/src/keys/key-revocation.integration.test.ts.
 */

let f: Fixture;
beforeAll(async () => {
  f = await createFixture();
});
afterAll(() => f.idp.close());
beforeEach(() => f.reset());

const MIN = 60_000;

/** Revokes the kids in `revokedKids`; revokes nothing else. */
function keyRevokingSource() {
  const source = {
    revokedKids: new Set<string>(),
    checkedKids: [] as string[],
    check() {},
    checkKey(kid: string) {
      source.checkedKids.push(kid);
      if (source.revokedKids.has(kid)) throw new KeyRevokedError('revoked');
    },
  } satisfies RevocationSource & Record<string, unknown>;
  return source;
}

describe('a revoked signing key', () => {
  it('is refused at once with a warm key-set cache, also for a token verified before', async () => {
    const source = keyRevokingSource();
    const verifier = f.verifier({ revocation: source });
    const seen = await sign(f.keys.es256, f.accessClaims());
    await expect(verifier.verifyAccessToken(seen)).resolves.toBeDefined();
    expect(f.idp.jwksRequests).toBe(1);

    source.revokedKids.add('es-1');
    await expect(verifier.verifyAccessToken(seen)).rejects.toMatchObject({
      code: 'ERR_KEY_REVOKED',
    });
    const fresh = await sign(f.keys.es256, f.accessClaims());
    await expect(verifier.verifyAccessToken(fresh)).rejects.toBeInstanceOf(KeyRevokedError);
    const idToken = await sign(f.keys.es256, f.idClaims(), { typ: undefined });
    await expect(verifier.verifyIdToken(idToken)).rejects.toMatchObject({
      code: 'ERR_KEY_REVOKED',
    });
    // Refused from memory: no fetch, and the other keys still vouch for their tokens.
    expect(f.idp.jwksRequests).toBe(1);
    const other = await sign(f.keys.rs256, f.accessClaims());
    await expect(verifier.verifyAccessToken(other)).resolves.toBeDefined();
  });

  it('stays out of the cache once the revocation has expired, though a stale JWKS still has it', async () => {
    const source = keyRevokingSource();
    const verifier = f.verifier({ revocation: source });
    await expect(
      verifier.verifyAccessToken(await sign(f.keys.es256, f.accessClaims())),
    ).resolves.toBeDefined();
    source.revokedKids.add('es-1');
    const forged = await sign(f.keys.es256, f.accessClaims());
    await expect(verifier.verifyAccessToken(forged)).rejects.toMatchObject({
      code: 'ERR_KEY_REVOKED',
    });

    // The record expires; the stand-in IdP (a stale cache in front of the IdP) still serves
    // the key. The refetch must not bring it back.
    source.revokedKids.clear();
    f.clock.ms += 10 * MIN;
    const later = await sign(f.keys.es256, f.accessClaims());
    await expect(verifier.verifyAccessToken(later)).rejects.toMatchObject({
      code: 'ERR_KEY_NOT_FOUND',
    });
    expect(f.idp.jwksRequests).toBeGreaterThanOrEqual(2);
    await expect(
      verifier.verifyAccessToken(await sign(f.keys.rs256, f.accessClaims())),
    ).resolves.toBeDefined();
  });

  it('is checked before the key is looked up, so an unknown kid costs no fetch when revoked', async () => {
    const source = keyRevokingSource();
    source.revokedKids.add('rogue');
    const verifier = f.verifier({ revocation: source });
    const token = await sign(f.keys.rogue, f.accessClaims());
    await expect(verifier.verifyAccessToken(token)).rejects.toMatchObject({
      code: 'ERR_KEY_REVOKED',
    });
    expect(f.idp.jwksRequests).toBe(0);
    expect(source.checkedKids).toEqual(['rogue']);
  });

  it('is not asked of a source without checkKey (revocation sources from before it)', async () => {
    const verifier = f.verifier({ revocation: { check() {} } });
    await expect(
      verifier.verifyAccessToken(await sign(f.keys.es256, f.accessClaims())),
    ).resolves.toBeDefined();
  });
});
