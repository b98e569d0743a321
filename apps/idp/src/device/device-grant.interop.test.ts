import { calculateJwkThumbprint, exportJWK } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrowser } from '../test-support/browser.js';
import { decideDevice } from '../test-support/device-approval.js';
import { withTestClients } from '../test-support/grants.js';
import { startTestIdp, type TestIdp } from '../test-support/test-idp.js';

/**
 * openid-client (v6) drives the whole RFC 8628 grant as the demo `cli` client does
 * (examples/cli-login): discovery, initiateDeviceAuthorization, pollDeviceAuthorizationGrant
 * by its own reading of the spec, while a cookie-keeping browser approves on /device. The
 * issuer's public name is mapped to the test IdP's loopback address, as in
 * openid-client.interop.test.ts.
 */

const ISSUER = 'http://idp.localhost:4000';
let idp: TestIdp;
let clients: Awaited<ReturnType<typeof withTestClients>>;

beforeAll(async () => {
  clients = await withTestClients();
  idp = await startTestIdp({ CLIENTS_FILE: clients.file, DEVICE_POLL_INTERVAL: '1s' });
});
afterAll(async () => {
  await idp?.close();
  await clients?.remove();
});

const toIdp = (url: string | URL): URL => {
  const mapped = new URL(url);
  if (mapped.origin === ISSUER) {
    const actual = new URL(idp.url);
    mapped.protocol = actual.protocol;
    mapped.host = actual.host;
  }
  return mapped;
};

const discover = () =>
  oidc.discovery(new URL(ISSUER), 'cli', undefined, oidc.None(), {
    [oidc.customFetch]: (url, options) => fetch(toIdp(url), options),
    execute: [oidc.allowInsecureRequests],
  });

describe('openid-client completes the device authorization grant', () => {
  it('approved: ID token, access token of the approving session, a refresh token that works', async () => {
    const config = await discover();
    const started = await oidc.initiateDeviceAuthorization(config, {
      scope: 'openid profile offline_access',
    });
    expect(started.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    const polling = oidc.pollDeviceAuthorizationGrant(config, started);
    const done = await decideDevice(
      createBrowser(),
      idp.url,
      started.verification_uri_complete!,
      'allow',
    );
    expect(done).toContain('Device connected');
    const tokens = await polling;
    expect(tokens.claims()?.preferred_username).toBe('alice');
    expect(tokens.refresh_token).toBeTruthy();
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).toBeTruthy();
  });

  it('RFC 9449: with DPoP, the poll gets key-bound tokens and the refresh token needs the same key', async () => {
    const config = await discover();
    const key = await oidc.randomDPoPKeyPair('ES256');
    const DPoP = oidc.getDPoPHandle(config, key);
    const started = await oidc.initiateDeviceAuthorization(config, {
      scope: 'openid offline_access',
    });
    const polling = oidc.pollDeviceAuthorizationGrant(config, started, undefined, { DPoP });
    await decideDevice(createBrowser(), idp.url, started.verification_uri_complete!, 'allow');
    const tokens = await polling;
    expect(tokens.token_type).toBe('dpop');
    const payload = JSON.parse(
      Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString(),
    ) as { cnf?: { jkt?: string } };
    expect(payload.cnf?.jkt).toBe(await calculateJwkThumbprint(await exportJWK(key.publicKey)));

    // §5: the public client's refresh token is bound to the key; another key is refused.
    const otherKey = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('ES256'));
    await expect(
      oidc.refreshTokenGrant(config, tokens.refresh_token!, undefined, { DPoP: otherKey }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!, undefined, {
      DPoP,
    });
    expect(refreshed.token_type).toBe('dpop');
  });

  it('denied: the poll ends with access_denied', async () => {
    const config = await discover();
    const started = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' });
    const polling = oidc.pollDeviceAuthorizationGrant(config, started);
    await decideDevice(createBrowser(), idp.url, started.verification_uri_complete!, 'deny');
    await expect(polling).rejects.toMatchObject({ error: 'access_denied' });
  });
});
