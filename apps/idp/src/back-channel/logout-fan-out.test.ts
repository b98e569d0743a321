import { describe, expect, it } from 'vitest';
import { createClientRegistry } from '../clients/client.js';
import { parseClients } from '../clients/load-clients.js';
import { logoutEntries } from './logout-fan-out.js';

const registration = (id: string, extra: Record<string, unknown> = {}) => ({
  client_id: id,
  client_secret: 'a-long-enough-client-secret',
  redirect_uris: [`http://${id}.localhost/cb`],
  resources: ['http://api.localhost/'],
  ...extra,
});
const clients = createClientRegistry(
  parseClients(
    [
      registration('shop', { backchannel_logout_uri: 'http://shop.localhost/bcl' }),
      registration('wiki', {
        backchannel_logout_uri: 'http://wiki.localhost/bcl',
        backchannel_logout_session_required: true,
      }),
      registration('quiet'),
    ],
    { production: false },
  ),
);
const took = (sid: string, clientId: string) => ({ sid, clientId, sub: 'u1' });

describe('logoutEntries', () => {
  it('one session: one token per client that registered an endpoint, with sid and sub', () => {
    const entries = logoutEntries(
      [took('s1', 'shop'), took('s1', 'wiki'), took('s1', 'quiet')],
      clients,
      false,
    );
    expect(entries).toEqual([
      {
        kind: 'backchannel-logout',
        target: 'http://shop.localhost/bcl',
        payload: { clientId: 'shop', sub: 'u1', sid: 's1' },
      },
      {
        kind: 'backchannel-logout',
        target: 'http://wiki.localhost/bcl',
        payload: { clientId: 'wiki', sub: 'u1', sid: 's1' },
      },
    ]);
  });

  it('every session of a user: ONE token per client with sub and no sid', () => {
    const entries = logoutEntries(
      [took('s1', 'shop'), took('s2', 'shop'), took('s3', 'shop')],
      clients,
      true,
    );
    expect(entries).toEqual([
      {
        kind: 'backchannel-logout',
        target: 'http://shop.localhost/bcl',
        payload: { clientId: 'shop', sub: 'u1' },
      },
    ]);
  });

  it('every session of a user, for a client that requires sid: one per session, each with sid', () => {
    const entries = logoutEntries([took('s1', 'wiki'), took('s2', 'wiki')], clients, true);
    expect(entries.map(({ payload }) => payload)).toEqual([
      { clientId: 'wiki', sub: 'u1', sid: 's1' },
      { clientId: 'wiki', sub: 'u1', sid: 's2' },
    ]);
  });

  it('a client no longer registered is skipped', () => {
    expect(logoutEntries([took('s1', 'removed')], clients, false)).toEqual([]);
  });
});
