import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimsOf } from './test-support/grants.js';
import { startTestIdp, type TestIdp } from './test-support/test-idp.js';

/**
 * openid-client against an IdP that asks for DPoP server nonces (DPOP_REQUIRE_NONCE=true):
 * the library must meet `use_dpop_nonce`, take the `DPoP-Nonce` header and retry (RFC 9449
 * §8), by its own reading of the spec. Its own file: the setting needs an IdP of its own.
 */

const ISSUER = 'http://idp.localhost:4000';
let idp: TestIdp;

beforeAll(async () => {
  idp = await startTestIdp({ DPOP_REQUIRE_NONCE: 'true' });
});
afterAll(() => idp?.close());

const toIdp = (url: string | URL): URL => {
  const mapped = new URL(url);
  if (mapped.origin === ISSUER) {
    const actual = new URL(idp.url);
    mapped.protocol = actual.protocol;
    mapped.host = actual.host;
  }
  return mapped;
};

describe('openid-client with DPoP server nonces', () => {
  it('RFC 9449 §8: retries with the server nonce and gets a bound token', async () => {
    const config = await oidc.discovery(
      new URL(ISSUER),
      'reports',
      undefined,
      oidc.ClientSecretBasic('reports-demo-secret'),
      {
        [oidc.customFetch]: (url, options) => fetch(toIdp(url), options),
        execute: [oidc.allowInsecureRequests],
      },
    );
    const DPoP = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('ES256'));
    const tokens = await oidc.clientCredentialsGrant(config, undefined, { DPoP });
    expect(tokens.token_type).toBe('dpop');
    expect(claimsOf(tokens.access_token).cnf).toEqual({ jkt: expect.any(String) });
  });
});
