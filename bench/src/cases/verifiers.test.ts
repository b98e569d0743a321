import type { RevocationSource } from '@latchkey/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalIssuer, type Algorithm, type LocalIssuer } from '../tokens/local-issuer.js';
import {
  floorVerifier,
  jsonwebtokenVerifier,
  joseVerifier,
  rawVerifier,
  warmSdkVerifier,
} from './verifiers.js';

/**
 * Cases 1 and 2 time these verifiers on the local issuer's tokens; a verifier that refused
 * them (as the SDK did once the IdP's signer went low-s and the bench's own did not) would
 * only show when someone ran `pnpm bench`. Here `pnpm test` sees it.
 */
const noRevocations: RevocationSource = { check: () => {} };
let issuer: LocalIssuer;

beforeAll(async () => {
  issuer = await startLocalIssuer();
});
afterAll(() => issuer.close());

describe.each<Algorithm>(['ES256', 'RS256'])('every verifier of cases 1 and 2: %s', (alg) => {
  // Twenty tokens: half of all ECDSA signatures come out high-s, so one token would miss a
  // verifier that refuses them one time in two.
  it('the SDK, jose, jsonwebtoken and the floor return the claims, and the raw check passes', async () => {
    const sdk = await warmSdkVerifier(issuer, alg, noRevocations);
    const jose = joseVerifier(issuer, alg);
    const jsonwebtoken = jsonwebtokenVerifier(issuer, alg);
    const raw = rawVerifier(issuer, alg);
    const floor = floorVerifier(issuer, alg);
    for (let i = 0; i < 20; i += 1) {
      const token = issuer.token(alg);
      const claims = await sdk.verifyAccessToken(token);
      expect(claims).toMatchObject({ iss: issuer.issuer, aud: issuer.audience, sub: 'user-42' });
      expect(await jose(token)).toEqual(claims);
      expect(await jsonwebtoken(token)).toEqual(claims);
      expect(floor(token)).toEqual(claims);
      expect(raw(token)).not.toThrow();
    }
    // The floor checks the signature: a token signed by another key is refused.
    const [header, payload] = issuer.token(alg).split('.');
    const other = issuer.token(alg).split('.')[2];
    expect(() => floor(`${header}.${payload}.${other}`)).toThrow('floor verify failed');
  });
});
