import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ISSUER, oauthError, post } from '../../test-support/grants.js';
import { dpopProver, type DpopProver } from '../../test-support/dpop-prover.js';
import { basicAuth, startTestIdp, type TestIdp } from '../../test-support/test-idp.js';
import { createDpopNonces } from './dpop-nonce.js';

const TOKEN_URL = `${ISSUER}/token`;
const REPORTS = basicAuth('reports', 'reports-demo-secret');

describe('server nonces (RFC 9449 §8)', () => {
  const secret = randomBytes(32);

  it('a nonce is good in its step and the next, then no more', () => {
    let now = 1_800_000_000_000;
    const nonces = createDpopNonces(secret, () => now);
    const nonce = nonces.current();
    expect(nonces.isValid(nonce)).toBe(true);
    now += 5 * 60_000;
    expect(nonces.isValid(nonce)).toBe(true);
    now += 5 * 60_000;
    expect(nonces.isValid(nonce)).toBe(false);
  });

  it('another instance with the same key accepts it; another key does not', () => {
    const now = () => 1_800_000_000_000;
    const nonce = createDpopNonces(secret, now).current();
    expect(createDpopNonces(secret, now).isValid(nonce)).toBe(true);
    expect(createDpopNonces(randomBytes(32), now).isValid(nonce)).toBe(false);
    // The MAC's first character changed: fully significant bits (its last one carries only
    // two, so rewriting the end may decode to the same bytes).
    const [step, mac] = nonce.split('.') as [string, string];
    const forged = `${step}.${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`;
    expect(createDpopNonces(secret, now).isValid(forged)).toBe(false);
    expect(createDpopNonces(secret, now).isValid('not-a-nonce')).toBe(false);
  });
});

describe('DPOP_REQUIRE_NONCE=true at /token (RFC 9449 §8)', () => {
  let idp: TestIdp;
  let prover: DpopProver;
  beforeAll(async () => {
    idp = await startTestIdp({ DPOP_REQUIRE_NONCE: 'true' });
    prover = await dpopProver();
  });
  afterAll(() => idp.close());

  const token = (dpop: string) =>
    post(
      idp,
      '/token',
      { grant_type: 'client_credentials' },
      { Authorization: REPORTS, DPoP: dpop },
    );

  it('RFC 9449 §8: a proof without a nonce gets use_dpop_nonce and a DPoP-Nonce to retry with', async () => {
    const first = await token(await prover.proof('POST', TOKEN_URL));
    expect(oauthError(first)).toEqual({ status: 400, error: 'use_dpop_nonce' });
    const nonce = first.headers.get('DPoP-Nonce');
    expect(nonce).toBeTruthy();

    const retry = await token(await prover.proof('POST', TOKEN_URL, { claims: { nonce } }));
    expect(retry.status).toBe(200);
    expect(retry.json.token_type).toBe('DPoP');
    expect(retry.headers.get('DPoP-Nonce')).toBeTruthy();
  });

  it('RFC 9449 §8: a made-up nonce gets use_dpop_nonce', async () => {
    const result = await token(await prover.proof('POST', TOKEN_URL, { claims: { nonce: 'x.y' } }));
    expect(oauthError(result)).toEqual({ status: 400, error: 'use_dpop_nonce' });
  });

  it('RFC 9449 §4.3: a bad proof is still invalid_dpop_proof, with a nonce for the retry', async () => {
    const result = await token(await prover.proof('GET', TOKEN_URL));
    expect(oauthError(result)).toEqual({ status: 400, error: 'invalid_dpop_proof' });
    expect(result.headers.get('DPoP-Nonce')).toBeTruthy();
  });
});
