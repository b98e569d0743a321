import { randomUUID } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { createVerifier, type Verifier } from '../verifier.js';
import type { VerifierOptions } from '../verifier-options.js';
import { startTestIdp, type TestIdp } from './idp-server.js';
import { createTestKeys, type TestKeys } from './keys.js';

/** Shared setup: keys, a loopback IdP serving them, a controllable clock, claim builders. */

export const START_MS = 1_700_000_000_000;
export const AUDIENCE = 'https://api.example.test';
export const CLIENT_ID = 'web-app';

export interface Fixture {
  keys: TestKeys;
  idp: TestIdp;
  clock: { ms: number };
  nowSec(): number;
  /** A verifier on the fixture's clock and JWKS; `overrides` are merged in. */
  verifier(overrides?: Partial<VerifierOptions>): Verifier;
  accessClaims(overrides?: JWTPayload): JWTPayload;
  idClaims(overrides?: JWTPayload): JWTPayload;
  /** Back to normal mode, publishing the three real keys, request counters at zero. */
  reset(): void;
}

export async function createFixture(): Promise<Fixture> {
  const keys = await createTestKeys();
  const published = [keys.es256.publicJwk, keys.rs256.publicJwk, keys.eddsa.publicJwk];
  const idp = await startTestIdp(published);
  const clock = { ms: START_MS };
  const nowSec = (): number => Math.floor(clock.ms / 1000);

  return {
    keys,
    idp,
    clock,
    nowSec,
    verifier: (overrides = {}) =>
      createVerifier({
        issuer: idp.issuer,
        audience: AUDIENCE,
        clientId: CLIENT_ID,
        jwksUri: idp.jwksUri,
        now: () => clock.ms,
        ...overrides,
      }),
    accessClaims: (overrides = {}) => ({
      iss: idp.issuer,
      sub: 'user-1',
      aud: AUDIENCE,
      client_id: CLIENT_ID,
      iat: nowSec(),
      exp: nowSec() + 300,
      jti: randomUUID(),
      scope: 'read write',
      ...overrides,
    }),
    idClaims: (overrides = {}) => ({
      iss: idp.issuer,
      sub: 'user-1',
      aud: CLIENT_ID,
      iat: nowSec(),
      exp: nowSec() + 300,
      ...overrides,
    }),
    reset() {
      clock.ms = START_MS;
      idp.reset(published);
    },
  };
}
