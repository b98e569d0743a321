import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TokenInvalidError } from './errors.js';
import { discoveryUrl } from './discovery.js';
import { createFixture, type Fixture } from './test-support/fixture.js';
import { payloadOf, sign } from './test-support/keys.js';

let f: Fixture;
beforeAll(async () => {
  f = await createFixture();
});
afterAll(() => f.idp.close());
beforeEach(() => f.reset());

describe('discovery', () => {
  it('finds jwks_uri from the discovery document, once', async () => {
    const verifier = f.verifier({ jwksUri: undefined });
    const token = await sign(f.keys.es256, f.accessClaims());
    await Promise.all([verifier.verifyAccessToken(token), verifier.verifyAccessToken(token)]);
    await verifier.verifyAccessToken(token);
    expect(f.idp.discoveryRequests).toBe(1);
    expect(f.idp.jwksRequests).toBe(1);
  });

  it('rejects a document naming another issuer with DiscoveryError', async () => {
    f.idp.discoveryIssuer = 'https://evil.example';
    const verifier = f.verifier({ jwksUri: undefined });
    const token = await sign(f.keys.es256, f.accessClaims());
    const error: unknown = await verifier.verifyAccessToken(token).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_DISCOVERY_FAILED' });
    expect(error).not.toBeInstanceOf(TokenInvalidError);
    expect(f.idp.jwksRequests).toBe(0);
  });

  it('retries a failed discovery on a later call', async () => {
    f.idp.discoveryIssuer = `${f.idp.issuer}/`;
    const verifier = f.verifier({ jwksUri: undefined });
    const token = await sign(f.keys.es256, f.accessClaims());
    await expect(verifier.verifyAccessToken(token)).rejects.toMatchObject({
      code: 'ERR_DISCOVERY_FAILED',
    });
    await expect(verifier.verifyAccessToken(token)).rejects.toMatchObject({
      code: 'ERR_DISCOVERY_FAILED',
    });
    expect(f.idp.discoveryRequests).toBe(1);
    f.idp.discoveryIssuer = undefined;
    f.clock.ms += 1_001;
    await expect(verifier.verifyAccessToken(token)).resolves.toEqual(payloadOf(token));
    expect(f.idp.discoveryRequests).toBe(2);
  });

  it('fails with DiscoveryError when the issuer is unreachable', async () => {
    const verifier = f.verifier({ issuer: 'http://127.0.0.1:1', jwksUri: undefined });
    const token = await sign(f.keys.es256, f.accessClaims());
    await expect(verifier.verifyAccessToken(token)).rejects.toMatchObject({
      code: 'ERR_DISCOVERY_FAILED',
    });
  });

  it.each([
    ['https://idp.example', 'https://idp.example/.well-known/openid-configuration'],
    ['https://idp.example/', 'https://idp.example/.well-known/openid-configuration'],
    [
      'https://idp.example/tenant/a',
      'https://idp.example/tenant/a/.well-known/openid-configuration',
    ],
  ])('builds the metadata URL for %s', (issuer, expected) => {
    expect(discoveryUrl(issuer).href).toBe(expected);
  });
});
