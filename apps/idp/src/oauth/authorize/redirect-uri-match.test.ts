import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeUrl, createBrowser, signIn } from '../../test-support/browser.js';
import { withTestClients } from '../../test-support/grants.js';
import { startTestIdp, type TestIdp } from '../../test-support/test-idp.js';
import { redirectUriMatches } from './redirect-uri-match.js';

const native = {
  applicationType: 'native' as const,
  redirectUris: ['http://127.0.0.1/callback', 'http://[::1]/cb?x=1', 'com.example.app:/callback'],
};

describe('RFC 8252 §7.3 loopback redirect URIs match on any port', () => {
  it.each([
    'http://127.0.0.1/callback',
    'http://127.0.0.1:51004/callback',
    'http://127.0.0.1:1/callback',
    'http://[::1]:8080/cb?x=1',
    'com.example.app:/callback',
  ])('accepts %s', (uri) => {
    expect(redirectUriMatches(native, uri)).toBe(true);
  });

  it.each([
    ['another host that starts like the literal', 'http://127.0.0.1.evil.example:5555/callback'],
    ['localhost by name', 'http://localhost:5555/callback'],
    ['userinfo before another host', 'http://127.0.0.1:5555@evil.example/callback'],
    ['userinfo before the literal', 'http://evil@127.0.0.1:5555/callback'],
    ['another path', 'http://127.0.0.1:5555/callback/other'],
    ['a dot segment', 'http://127.0.0.1:5555/x/../callback'],
    ['another query', 'http://[::1]:8080/cb?x=2'],
    ['the other literal', 'http://[::1]:5555/callback'],
    ['https', 'https://127.0.0.1:5555/callback'],
    ['port 0', 'http://127.0.0.1:0/callback'],
    ['a port past 65535', 'http://127.0.0.1:70000/callback'],
    ['a fragment', 'http://127.0.0.1:5555/callback#x'],
    ['another private-use path', 'com.example.app:/other'],
  ])('refuses %s: %s', (_why, uri) => {
    expect(redirectUriMatches(native, uri)).toBe(false);
  });

  it('keeps a web client on exact matching, loopback or not', () => {
    const web = { redirectUris: ['http://127.0.0.1/callback'] };
    expect(redirectUriMatches(web, 'http://127.0.0.1/callback')).toBe(true);
    expect(redirectUriMatches(web, 'http://127.0.0.1:5555/callback')).toBe(false);
  });
});

describe('RFC 8252 at /authorize', () => {
  const CLIENT = {
    client_id: 'desktop',
    token_endpoint_auth_method: 'none',
    application_type: 'native',
    grant_types: ['authorization_code'],
    redirect_uris: ['http://127.0.0.1/callback', 'com.example.app:/callback'],
    resources: ['http://wiki.localhost:3002/api'],
  };
  let idp: TestIdp;
  let clients: Awaited<ReturnType<typeof withTestClients>>;
  beforeAll(async () => {
    clients = await withTestClients([CLIENT]);
    idp = await startTestIdp({ CLIENTS_FILE: clients.file });
  });
  afterAll(async () => {
    await idp?.close();
    await clients?.remove();
  });

  it.each(['http://127.0.0.1:49152/callback', 'com.example.app:/callback'])(
    'sends the code to %s',
    async (redirectUri) => {
      const { callback, code } = await signIn(createBrowser(), idp.url, {
        clientId: 'desktop',
        redirectUri,
        username: 'alice',
        password: 'wonderland-alice',
      });
      expect(callback.href.startsWith(`${redirectUri}?`)).toBe(true);
      expect(code).toBeTruthy();
    },
  );

  it.each([
    'http://127.0.0.1.evil.example:49152/callback',
    'http://localhost:49152/callback',
    'http://127.0.0.1:49152@evil.example/callback',
  ])('answers a page, never a redirect, for %s', async (redirectUri) => {
    const { url } = authorizeUrl(idp.url, { clientId: 'desktop', redirectUri });
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('redirect_uri is not registered');
  });
});
