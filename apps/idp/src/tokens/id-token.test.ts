import { generateKeyPairSync } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { parseClients } from '../clients/load-clients.js';
import { createClientRegistry } from '../clients/client.js';
import { loadConfig } from '../config/config.js';
import { createIdp } from '../idp.js';
import { silentLogger } from '../logger.js';
import type { Database } from '../db/database.js';
import { createMemoryStore } from '../store/memory-store.js';
import { accessTokenHash } from '@latchkey/protocol';
import { signIdToken, unsignableIdTokenClients } from './id-token.js';

const client = (alg: string) => ({
  client_id: `c-${alg}`,
  client_secret: 'a-long-enough-client-secret',
  redirect_uris: ['http://app.localhost/cb'],
  resources: ['http://api.localhost/'],
  id_token_signed_response_alg: alg,
});

describe('ID tokens (OIDC Core §2, §3.1.3.6)', () => {
  it('OIDC 2: signed with the given key, kid and typ JWT set, every required claim present', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const now = 1_700_000_000_000;
    const token = await signIdToken(
      { kid: 'k1', alg: 'EdDSA', privateKey },
      {
        issuer: 'http://idp.localhost:4000',
        subject: 'u1',
        clientId: 'app',
        ttlMs: 900_000,
        now,
        authTime: 1_699_999_000,
        sid: 's1',
        nonce: 'n1',
        accessToken: 'at',
        scope: ['openid', 'email'],
        user: { username: 'u', email: 'u@example.test' },
      },
    );
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'EdDSA', kid: 'k1', typ: 'JWT' });
    const { payload } = await jwtVerify(token, publicKey, { currentDate: new Date(now) });
    expect(payload).toEqual({
      iss: 'http://idp.localhost:4000',
      sub: 'u1',
      aud: 'app',
      azp: 'app',
      iat: now / 1000,
      exp: now / 1000 + 900,
      auth_time: 1_699_999_000,
      sid: 's1',
      nonce: 'n1',
      at_hash: accessTokenHash('at', 'EdDSA'),
      email: 'u@example.test',
      email_verified: false,
    });
  });

  it('a client registering an alg the IdP does not sign with is refused at start-up, naming it', () => {
    const clients = parseClients([client('RS256'), client('EdDSA')], { production: false });
    expect(unsignableIdTokenClients(clients, ['RS256', 'ES256'])).toEqual([
      expect.stringContaining('client "c-EdDSA": id_token_signed_response_alg EdDSA'),
    ]);
    const config = loadConfig({ ISSUER: 'http://idp.localhost:4000' });
    expect(() =>
      createIdp(config, {
        store: createMemoryStore(),
        // Never queried: wiring fails on the client first.
        database: {} as Database,
        clients: createClientRegistry(clients),
        logger: silentLogger,
      }),
    ).toThrow(/c-EdDSA/);
    // With an EdDSA key in the policy the same registration is fine.
    expect(unsignableIdTokenClients(clients, ['RS256', 'EdDSA'])).toEqual([]);
  });
});
