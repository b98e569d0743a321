import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFixture, type Fixture } from './test-support/fixture.js';
import { dpopProver, unsignedProof, type DpopProver } from './test-support/dpop-prover.js';
import { sign } from './test-support/keys.js';
import type { Verifier } from './verifier.js';

const URL_ = 'https://api.example.test/orders';

let f: Fixture;
let prover: DpopProver;
let verifier: Verifier;
let token: string;
beforeAll(async () => {
  f = await createFixture();
  prover = await dpopProver();
});
afterAll(() => f.idp.close());
beforeEach(async () => {
  f.reset();
  verifier = f.verifier();
  token = await sign(f.keys.es256, f.accessClaims({ cnf: { jkt: prover.jkt } }));
});

const proofFor = (options: Partial<Parameters<DpopProver['proof']>[0]> = {}) =>
  prover.proof({ url: URL_, iat: f.nowSec(), accessToken: token, ...options });

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    return (error as { code: string }).code;
  }
}

const withProof = (proof: string | undefined, method = 'GET', url = URL_) =>
  verifier.verifyAccessToken(token, { dpop: { proof, method, url } });

describe('verifyAccessToken with DPoP (RFC 9449 §7)', () => {
  it('RFC 9449 §7.1: accepts a bound token with a proof by its key, and returns cnf', async () => {
    const claims = await withProof(await proofFor());
    expect(claims.cnf).toEqual({ jkt: prover.jkt });
    // Again with a new proof: the verified-token cache must not skip the proof.
    expect(await codeOf(withProof(await proofFor()))).toBe('accepted');
    expect(await codeOf(withProof(undefined))).toBe('ERR_DPOP_PROOF_INVALID');
  });

  it('RFC 9449 §7.2: refuses a DPoP-bound token verified as a bearer token', async () => {
    expect(await codeOf(verifier.verifyAccessToken(token))).toBe('ERR_DPOP_BINDING');
    // Also once the token sits in the verified-token cache.
    await withProof(await proofFor());
    expect(await codeOf(verifier.verifyAccessToken(token))).toBe('ERR_DPOP_BINDING');
  });

  it('RFC 9449 §7.1: refuses a proof by a key that does not match cnf.jkt', async () => {
    const thief = await dpopProver();
    const proof = await thief.proof({ url: URL_, iat: f.nowSec(), accessToken: token });
    expect(await codeOf(withProof(proof))).toBe('ERR_DPOP_BINDING');
  });

  it('RFC 9449 §7.1: refuses an unbound token sent with a proof', async () => {
    const plain = await sign(f.keys.es256, f.accessClaims());
    const proof = await prover.proof({ url: URL_, iat: f.nowSec(), accessToken: plain });
    const result = verifier.verifyAccessToken(plain, { dpop: { proof, method: 'GET', url: URL_ } });
    expect(await codeOf(result)).toBe('ERR_DPOP_BINDING');
  });

  it('RFC 9449 §11.1: refuses a replayed jti', async () => {
    const proof = await proofFor();
    expect(await codeOf(withProof(proof))).toBe('accepted');
    expect(await codeOf(withProof(proof))).toBe('ERR_DPOP_PROOF_REPLAYED');
  });

  it('RFC 9449 §11.1: a replay cache that cannot answer is 503, not acceptance', async () => {
    const failing = f.verifier({
      dpop: { replayCache: { remember: () => Promise.reject(new Error('down')) } },
    });
    const result = failing.verifyAccessToken(token, {
      dpop: { proof: await proofFor(), method: 'GET', url: URL_ },
    });
    expect(await codeOf(result)).toBe('ERR_VERIFICATION_UNAVAILABLE');
  });

  const bad: [string, () => Promise<unknown>][] = [
    ['refuses a proof whose htm differs', async () => withProof(await proofFor(), 'POST')],
    [
      'refuses a proof whose htu differs',
      async () => withProof(await proofFor({ url: 'https://api.example.test/other' })),
    ],
    ['refuses an old iat', async () => withProof(await proofFor({ iat: f.nowSec() - 120 }))],
    [
      'refuses a private key in the header',
      async () => withProof(await proofFor({ header: { jwk: prover.privateJwk } })),
    ],
    [
      'refuses alg none',
      () => withProof(unsignedProof('none', { htm: 'GET', htu: URL_, iat: f.nowSec() })),
    ],
    [
      'refuses a symmetric alg',
      () => withProof(unsignedProof('HS256', { htm: 'GET', htu: URL_, iat: f.nowSec() })),
    ],
    [
      'refuses a proof without ath',
      async () => withProof(await proofFor({ accessToken: undefined })),
    ],
    ['refuses a missing proof', () => withProof(undefined)],
  ];
  it.each(bad)('RFC 9449 §4.3: %s', async (_name, attempt) => {
    expect(await codeOf(attempt())).toBe('ERR_DPOP_PROOF_INVALID');
  });

  it('refuses a bad dpop option at construction', () => {
    expect(() => f.verifier({ dpop: { proofWindowSec: 0 } })).toThrow(TypeError);
    expect(() => f.verifier({ dpop: { replayCache: {} as never } })).toThrow(TypeError);
  });
});
