import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRedis, type TestRedis } from '@latchkey/testing';
import { SHOP_HEADERS } from '../grants/redeem-all.js';
import { codeBody } from '../services/idp-fixtures.js';
import { startOidcProvider, type OidcPeer } from './oidc-provider.js';

let redis: TestRedis;
let peer: OidcPeer;

beforeAll(async () => {
  redis = await startTestRedis();
  peer = await startOidcProvider({ redisUrl: redis.url, workers: 2 });
}, 60_000);

afterAll(async () => {
  await peer?.stop();
  await redis?.kill();
});

/**
 * One request on a connection of its own: the cluster's primary hands each new connection to
 * the next worker, so consecutive calls reach both workers.
 */
function send(
  path: string,
  options: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${peer.url}${path}`, { ...options, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('oidc-provider under cluster (the all-cores peer)', () => {
  it('serves the same keys from every worker', async () => {
    const documents = await Promise.all(
      Array.from({ length: 4 }, () => send('/jwks', { method: 'GET' })),
    );
    expect(new Set(documents.map((d) => d.body)).size).toBe(1);
    expect(documents[0]!.status).toBe(200);
  });

  it('redeems on any worker the codes the first one minted, each once', async () => {
    const codes = await peer.mintCodes(4);
    for (const code of codes) {
      const answer = await send('/token', {
        method: 'POST',
        headers: SHOP_HEADERS,
        body: codeBody(code),
      });
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toHaveProperty('refresh_token');
    }
    const again = await send('/token', {
      method: 'POST',
      headers: SHOP_HEADERS,
      body: codeBody(codes[0]!),
    });
    expect(JSON.parse(again.body)).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses workers without Redis: a Map is not shared between them', async () => {
    await expect(startOidcProvider({ workers: 2 })).rejects.toThrow(TypeError);
  });
});
