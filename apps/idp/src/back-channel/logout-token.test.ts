import { generateKeyPairSync } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { BACKCHANNEL_LOGOUT_EVENT } from '@latchkey/protocol';
import { describe, expect, it } from 'vitest';
import { createClientRegistry } from '../clients/client.js';
import { parseClients } from '../clients/load-clients.js';
import { DeliveryAbandonedError } from '../delivery/delivery-kind.js';
import { backChannelLogoutKind } from './logout-kind.js';
import { signLogoutToken } from './logout-token.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const key = { kid: 'k1', alg: 'RS256' as const, privateKey };
const NOW = 1_700_000_000_000;

describe('logout tokens (OIDC Back-Channel Logout 1.0 §2.4)', () => {
  it('§2.4: typ logout+jwt, iss aud iat exp (2 min) jti events, sid and sub, no nonce', async () => {
    const token = signLogoutToken(key, {
      issuer: 'http://idp.localhost:4000',
      clientId: 'shop',
      sub: 'u1',
      sid: 's1',
      now: NOW,
    });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', kid: 'k1', typ: 'logout+jwt' });
    const { payload } = await jwtVerify(token, publicKey, { currentDate: new Date(NOW) });
    expect(payload).toEqual({
      iss: 'http://idp.localhost:4000',
      aud: 'shop',
      iat: NOW / 1000,
      exp: NOW / 1000 + 120,
      jti: expect.stringMatching(/^[\w-]{22}$/) as unknown,
      events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
      sub: 'u1',
      sid: 's1',
    });
  });

  it('§2.4: a fresh jti each time', () => {
    const input = { issuer: 'i', clientId: 'c', sub: 'u', now: NOW };
    const jti = (token: string) =>
      (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { jti: string })
        .jti;
    expect(jti(signLogoutToken(key, input))).not.toBe(jti(signLogoutToken(key, input)));
  });

  it('§2.4: sub alone (all sessions of the user), or sid alone', async () => {
    const subOnly = signLogoutToken(key, { issuer: 'i', clientId: 'c', sub: 'u', now: NOW });
    const { payload } = await jwtVerify(subOnly, publicKey, { currentDate: new Date(NOW) });
    expect(payload).not.toHaveProperty('sid');
    const sidOnly = signLogoutToken(key, { issuer: 'i', clientId: 'c', sid: 's', now: NOW });
    expect(
      (await jwtVerify(sidOnly, publicKey, { currentDate: new Date(NOW) })).payload,
    ).not.toHaveProperty('sub');
  });

  it('§2.4: neither sub nor sid is a caller mistake', () => {
    expect(() => signLogoutToken(key, { issuer: 'i', clientId: 'c', now: NOW })).toThrow(TypeError);
  });
});

describe('the back-channel logout kind', () => {
  const clients = createClientRegistry(
    parseClients(
      [
        {
          client_id: 'shop',
          client_secret: 'a-long-enough-client-secret',
          redirect_uris: ['http://shop.localhost/cb'],
          resources: ['http://api.localhost/'],
          backchannel_logout_uri: 'http://shop.localhost/bcl',
        },
      ],
      { production: false },
    ),
  );
  const kind = backChannelLogoutKind({
    issuer: 'http://idp.localhost:4000',
    clients,
    keys: { signingKey: () => key },
  });
  const attempt = (target: string) => ({ id: '1', target, attempt: 1, now: NOW });

  it('§2.5: renders a form POST of logout_token, minted at the attempt', async () => {
    const message = await kind.render(
      { clientId: 'shop', sub: 'u', sid: 's' },
      attempt('http://shop.localhost/bcl'),
    );
    expect(message.contentType).toBe('application/x-www-form-urlencoded');
    const token = new URLSearchParams(message.body).get('logout_token')!;
    const { payload } = await jwtVerify(token, publicKey, { currentDate: new Date(NOW) });
    expect(payload).toMatchObject({ aud: 'shop', sub: 'u', sid: 's', iat: NOW / 1000 });
  });

  it('abandons a row for a client no longer registered, or registered elsewhere now', async () => {
    await expect(
      kind.render({ clientId: 'gone', sub: 'u' }, attempt('http://shop.localhost/bcl')),
    ).rejects.toBeInstanceOf(DeliveryAbandonedError);
    await expect(
      kind.render({ clientId: 'shop', sub: 'u' }, attempt('http://old.localhost/bcl')),
    ).rejects.toBeInstanceOf(DeliveryAbandonedError);
  });

  it('abandons a malformed row (no client, or neither sub nor sid)', async () => {
    await expect(kind.render({}, attempt('http://shop.localhost/bcl'))).rejects.toBeInstanceOf(
      DeliveryAbandonedError,
    );
    await expect(
      kind.render({ clientId: 'shop' }, attempt('http://shop.localhost/bcl')),
    ).rejects.toBeInstanceOf(DeliveryAbandonedError);
  });
});
