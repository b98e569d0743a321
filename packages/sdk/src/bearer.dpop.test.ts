import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { requireBearer, type BearerState } from './koa.js';
import { createWithBearer } from './next/bearer-route.js';
import { createFixture, type Fixture } from './test-support/fixture.js';
import { dpopProver, unsignedProof, type DpopProver } from './test-support/dpop-prover.js';
import { sign } from './test-support/keys.js';

/**
 * The Koa middleware and the Next.js route wrapper with DPoP (RFC 9449 §7): one table of
 * requests, sent to both, so that they answer alike.
 */

let f: Fixture;
let prover: DpopProver;
let koaUrl: string;
let server: Server;
beforeAll(async () => {
  f = await createFixture();
  prover = await dpopProver();
  const app = new Koa<BearerState>();
  app.silent = true;
  app.use(requireBearer(f.verifier()));
  app.use((ctx) => {
    ctx.body = { sub: ctx.state.auth.sub };
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  koaUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await f.idp.close();
});
beforeEach(() => f.reset());

const NEXT_URL = 'https://api.example.test/orders';
const nextRoute = () =>
  createWithBearer(f.verifier())((_request, claims) => Response.json({ sub: claims.sub }));

type Send = (headers: Record<string, string>, method?: string) => Promise<Response>;
const senders: [string, () => { url: () => string; send: Send }][] = [
  [
    'koa',
    () => ({
      url: () => koaUrl,
      send: (headers, method = 'GET') => fetch(koaUrl, { method, headers }),
    }),
  ],
  [
    'next',
    () => {
      const route = nextRoute();
      return {
        url: () => NEXT_URL,
        send: (headers, method = 'GET') => route(new Request(NEXT_URL, { method, headers }), {}),
      };
    },
  ],
];

describe.each(senders)('%s with DPoP (RFC 9449 §7)', (_name, make) => {
  let token: string;
  let target: ReturnType<(typeof senders)[number][1]>;
  beforeEach(async () => {
    target = make();
    token = await sign(f.keys.es256, f.accessClaims({ cnf: { jkt: prover.jkt } }));
  });
  const proof = (options: Partial<Parameters<DpopProver['proof']>[0]> = {}) =>
    prover.proof({ url: target.url(), iat: f.nowSec(), accessToken: token, ...options });

  async function expectChallenge(response: Response, error: string): Promise<void> {
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: string }).error).toBe(error);
    expect(response.headers.get('www-authenticate')).toMatch(
      new RegExp(`^DPoP realm="api", error="${error}".*algs="ES256 EdDSA RS256"`),
    );
  }

  it('RFC 9449 §7.1: accepts a bound token with the DPoP scheme and its proof', async () => {
    const response = await target.send({ authorization: `DPoP ${token}`, dpop: await proof() });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ sub: 'user-1' });
  });

  it('RFC 9449 §7.2: refuses a DPoP-bound token sent as Bearer', async () => {
    await expectChallenge(await target.send({ authorization: `Bearer ${token}` }), 'invalid_token');
  });

  it('RFC 9449 §7.1: refuses a proof by a key that does not match cnf.jkt', async () => {
    const thief = await dpopProver();
    const stolen = await thief.proof({ url: target.url(), iat: f.nowSec(), accessToken: token });
    await expectChallenge(
      await target.send({ authorization: `DPoP ${token}`, dpop: stolen }),
      'invalid_token',
    );
  });

  it('RFC 9449 §11.1: refuses a replayed jti', async () => {
    const once = await proof();
    const headers = { authorization: `DPoP ${token}`, dpop: once };
    expect((await target.send(headers)).status).toBe(200);
    await expectChallenge(await target.send(headers), 'invalid_dpop_proof');
  });

  const bad: [string, () => Promise<{ dpop?: string; method?: string }>][] = [
    ['without a proof', () => Promise.resolve({})],
    ['a proof whose htm differs', async () => ({ dpop: await proof({ method: 'POST' }) })],
    [
      'a proof whose htu differs',
      async () => ({ dpop: await proof({ url: 'https://elsewhere.example/orders' }) }),
    ],
    ['a proof with an old iat', async () => ({ dpop: await proof({ iat: f.nowSec() - 600 }) })],
    [
      'a private key in the header',
      async () => ({ dpop: await proof({ header: { jwk: prover.privateJwk } }) }),
    ],
    [
      'alg none',
      () =>
        Promise.resolve({
          dpop: unsignedProof('none', { htm: 'GET', htu: target.url(), iat: f.nowSec() }),
        }),
    ],
    [
      'a symmetric alg',
      () =>
        Promise.resolve({
          dpop: unsignedProof('HS256', { htm: 'GET', htu: target.url(), iat: f.nowSec() }),
        }),
    ],
  ];
  it.each(bad)('RFC 9449 §4.3: refuses %s', async (_case, make) => {
    const { dpop, method } = await make();
    const response = await target.send(
      { authorization: `DPoP ${token}`, ...(dpop !== undefined && { dpop }) },
      method,
    );
    await expectChallenge(response, 'invalid_dpop_proof');
  });

  it('a plain bearer token still works as Bearer', async () => {
    const plain = await sign(f.keys.es256, f.accessClaims());
    expect((await target.send({ authorization: `Bearer ${plain}` })).status).toBe(200);
  });
});
