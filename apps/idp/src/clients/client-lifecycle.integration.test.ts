import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  codeFor,
  oauthError,
  post,
  redeem,
  refresh,
  signIn,
  WIKI_API,
} from '../test-support/grants.js';
import { basicAuth, startTestIdp, type TestIdp } from '../test-support/test-idp.js';
import type { ClientActor } from './client-service.js';

/**
 * Clients registered, changed and deleted through the service while a test IdP serves /token:
 * what the endpoints see, at once on this instance and within the refresh on another one.
 */
let idp: TestIdp;
let other: TestIdp;
const by: ClientActor = { actor: { kind: 'operator', id: 'lifecycle-test' } };

beforeAll(async () => {
  idp = await startTestIdp();
  // A second instance on the same database, refreshing often: a load-balanced peer.
  other = await startTestIdp({ CLIENTS_REFRESH_INTERVAL: '100ms' });
});
afterAll(async () => {
  await idp?.close();
  await other?.close();
});

const clientCredentials = (target: TestIdp, id: string, secret: string) =>
  post(
    target,
    '/token',
    { grant_type: 'client_credentials' },
    { Authorization: basicAuth(id, secret) },
  );

const eventually = async (check: () => Promise<boolean>) => {
  const end = Date.now() + 3_000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('not within 3 s');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

describe('a machine client registered through the service', () => {
  it('gets tokens at once here, and on the other instance within its refresh', async () => {
    const { secret } = await idp.clientService.register(
      {
        client_id: 'lifecycle-machine',
        grant_types: ['client_credentials'],
        resources: [WIKI_API],
      },
      by,
    );
    expect((await clientCredentials(idp, 'lifecycle-machine', secret!)).status).toBe(200);
    await eventually(
      async () => (await clientCredentials(other, 'lifecycle-machine', secret!)).status === 200,
    );
  });

  it('after a rotation the old secret is refused at once (invalid_client), the new one works', async () => {
    const { secret: old } = await idp.clientService.register(
      {
        client_id: 'lifecycle-rotated',
        grant_types: ['client_credentials'],
        resources: [WIKI_API],
      },
      by,
    );
    const { secret } = await idp.clientService.rotateSecret('lifecycle-rotated', by);
    expect(oauthError(await clientCredentials(idp, 'lifecycle-rotated', old!))).toEqual({
      status: 401,
      error: 'invalid_client',
    });
    expect((await clientCredentials(idp, 'lifecycle-rotated', secret)).status).toBe(200);
  });
});

describe('deleting a client', () => {
  it('refuses its client credentials and its live refresh tokens (invalid_client)', async () => {
    const registered = await idp.clientService.register(
      {
        client_id: 'lifecycle-web',
        redirect_uris: ['https://lifecycle.example/cb'],
        resources: [WIKI_API],
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      },
      by,
    );
    const client = {
      id: 'lifecycle-web',
      redirectUri: 'https://lifecycle.example/cb',
      resources: [WIKI_API],
      auth: basicAuth('lifecycle-web', registered.secret!),
    };
    const { session } = await signIn(idp, { username: 'lifecycle-user' });
    const redeemed = await redeem(idp, await codeFor(idp.store, session, client), client);
    expect(redeemed.status).toBe(200);
    const refreshToken = redeemed.json.refresh_token as string;
    expect(refreshToken).toBeTruthy();

    await idp.clientService.delete('lifecycle-web', by);
    expect(oauthError(await refresh(idp, refreshToken, client))).toEqual({
      status: 401,
      error: 'invalid_client',
    });
    expect(oauthError(await clientCredentials(idp, 'lifecycle-web', registered.secret!))).toEqual({
      status: 401,
      error: 'invalid_client',
    });
    await eventually(
      async () =>
        (await clientCredentials(other, 'lifecycle-web', registered.secret!)).status === 401,
    );
    // Its id is never handed to a new client, which would inherit the live refresh token.
    await expect(
      idp.clientService.register(
        { client_id: 'lifecycle-web', grant_types: ['client_credentials'], resources: [WIKI_API] },
        by,
      ),
    ).rejects.toMatchObject({ code: 'ERR_CLIENT_ID_TAKEN' });
  });
});

describe('the demo clients imported from CLIENTS_FILE', () => {
  it('serve /token as before, and a second start imported nothing new', async () => {
    expect((await clientCredentials(idp, 'reports', 'reports-demo-secret')).status).toBe(200);
    const shop = idp.clients.find('shop');
    expect(shop).toBeDefined();
    const stored = await idp.clientService.find('shop');
    expect(stored).toMatchObject({ managedBy: 'file', version: 1 });
  });
});
