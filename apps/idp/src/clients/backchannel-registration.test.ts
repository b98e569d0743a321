import { describe, expect, it } from 'vitest';
import { clientEntry, entryProblems } from '../test-support/client-entries.js';
import { parseClients } from './load-clients.js';

/** OIDC Back-Channel Logout 1.0 §2.2: the two registration fields, checked at load. */

describe('backchannel_logout_uri and backchannel_logout_session_required', () => {
  it('loads an https URI (with a query) and the session flag', () => {
    const [loaded] = parseClients(
      [
        clientEntry({
          backchannel_logout_uri: 'https://app.example/logout?from=idp',
          backchannel_logout_session_required: true,
        }),
      ],
      { production: true },
    );
    expect(loaded).toMatchObject({
      backchannelLogoutUri: 'https://app.example/logout?from=idp',
      backchannelLogoutSessionRequired: true,
    });
  });

  it('leaves both out when not registered (the client is not told)', () => {
    const [loaded] = parseClients([clientEntry({})], { production: true });
    expect(loaded).not.toHaveProperty('backchannelLogoutUri');
    expect(loaded).not.toHaveProperty('backchannelLogoutSessionRequired');
  });

  it('allows http for loopback hosts in production (a service on the same machine)', () => {
    for (const uri of [
      'http://127.0.0.1:3001/auth/backchannel-logout',
      'http://shop.localhost:3001/auth/backchannel-logout',
      'http://[::1]:8080/logout',
    ]) {
      expect(entryProblems({ backchannel_logout_uri: uri }, true)).toEqual([]);
    }
  });

  it('allows http anywhere outside production mode', () => {
    expect(entryProblems({ backchannel_logout_uri: 'http://app.internal/logout' }, false)).toEqual(
      [],
    );
  });

  it('refuses http to a non-loopback host in production', () => {
    expect(entryProblems({ backchannel_logout_uri: 'http://app.example/logout' }, true)).toEqual([
      'CLIENTS_FILE: client #0: backchannel_logout_uri: "http://app.example/logout" must be https in production (http only for loopback hosts)',
    ]);
  });

  it('refuses a URI with a fragment (§2.2)', () => {
    expect(
      entryProblems({ backchannel_logout_uri: 'https://app.example/logout#x' }, false)[0],
    ).toMatch(/backchannel_logout_uri: .* must not have a fragment/);
  });

  it('refuses a relative URI, a non-http scheme, credentials, a non-string', () => {
    expect(entryProblems({ backchannel_logout_uri: '/logout' }, false)[0]).toMatch(
      /not an absolute URL/,
    );
    expect(entryProblems({ backchannel_logout_uri: 'ftp://app.example/x' }, false)[0]).toMatch(
      /must be an https URL/,
    );
    expect(
      entryProblems({ backchannel_logout_uri: 'https://u:p@app.example/x' }, false)[0],
    ).toMatch(/must not hold credentials/);
    expect(entryProblems({ backchannel_logout_uri: 42 }, false)[0]).toMatch(/must be a string/);
  });

  it('refuses a session flag that is not a boolean', () => {
    expect(entryProblems({ backchannel_logout_session_required: 'yes' }, false)).toEqual([
      'CLIENTS_FILE: client #0: backchannel_logout_session_required must be true or false',
    ]);
  });

  it('the demo clients (shop, wiki) register their back-channel endpoints', async () => {
    const { loadClientsFile } = await import('./load-clients.js');
    const demo = await loadClientsFile(
      new URL('../../demo/clients.json', import.meta.url).pathname,
      { production: false },
    );
    expect(demo.find(({ id }) => id === 'shop')?.backchannelLogoutUri).toBe(
      'http://shop.localhost:3001/auth/backchannel-logout',
    );
    expect(demo.find(({ id }) => id === 'wiki')?.backchannelLogoutUri).toBe(
      'http://wiki.localhost:3002/auth/backchannel-logout',
    );
  });
});
