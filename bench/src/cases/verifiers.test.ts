import type { RevocationSource } from '@latchkey/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalIssuer, type Algorithm, type LocalIssuer } from '../tokens/local-issuer.js';
import { jsonwebtokenVerifier, joseVerifier, rawVerifier, warmSdkVerifier } from './verifiers.js';

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

describe.each<Algorithm>(['ES256', 'RS256'])(
  'every verifier of cases 1 and 2 accepts %s tokens',
  (alg) => {
    it('the SDK, jose and jsonwebtoken return the claims, and the raw check passes', async () => {
      const token = issuer.token(alg);
      const sdk = await warmSdkVerifier(issuer, alg, noRevocations);
      const claims = await sdk.verifyAccessToken(token);
      expect(claims).toMatchObject({ iss: issuer.issuer, aud: issuer.audience, sub: 'user-42' });
      expect(await joseVerifier(issuer, alg)(token)).toEqual(claims);
      expect(await jsonwebtokenVerifier(issuer, alg)(token)).toEqual(claims);
      expect(rawVerifier(issuer, alg)(token)).not.toThrow();
    });
  },
);
