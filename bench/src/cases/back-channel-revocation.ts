import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVerifier, type Verifier } from '@latchkey/sdk';
import { startTestRedis, type TestRedis } from '@latchkey/testing';
import { pick, type BenchContext } from '../context.js';
import { basic, SHOP, WIKI_API } from '../peers/bench-clients.js';
import { single, type Row } from '../report/row.js';
import { quantile } from '../runner/stats.js';
import { CLIENTS_FILE, startBenchIdp, type BenchIdp } from '../services/idp.js';
import { openIdpFixtures } from '../services/idp-fixtures.js';

/**
 * Case 3, back-channel row: from the IdP's answer to a logout to the moment the shop's
 * back-channel endpoint has verified the logout token (SDK `verifyLogoutToken`): from then on
 * the service refuses the session, with no Redis of the IdP's in reach. The IdP is its own
 * process on a private Redis, with the shop's backchannel_logout_uri at a receiver in this
 * process; sessions sign in to the shop through /authorize (so the IdP records the
 * participation), and log out one after another.
 */
export async function backChannelRows(context: BenchContext): Promise<Row[]> {
  const count = pick(context, 300, 40);
  const receiver = await startReceiver();
  const dir = await mkdtemp(join(tmpdir(), 'latchkey-bench-bcl-'));
  let redis: TestRedis | undefined;
  let idp: BenchIdp | undefined;
  try {
    const clients = JSON.parse(await readFile(CLIENTS_FILE, 'utf8')) as Record<string, unknown>[];
    for (const client of clients) {
      if (client.client_id === 'shop') client.backchannel_logout_uri = `${receiver.url}/shop`;
      if (client.client_id === 'wiki') delete client.backchannel_logout_uri;
    }
    const clientsFile = join(dir, 'clients.json');
    await writeFile(clientsFile, JSON.stringify(clients));
    redis = await startTestRedis();
    idp = await startBenchIdp(redis.url, {
      clientsFile,
      env: { DELIVERY_LOOPBACK_ONLY: 'true', LOG_LEVEL: 'warn' },
    });
    receiver.verifier = createVerifier({
      issuer: idp.issuer,
      audience: WIKI_API,
      jwksUri: `${idp.url}/jwks`,
      clientId: SHOP.id,
    });
    context.log(`case 3 (back-channel): signing in ${count} sessions through /authorize`);
    const sessions = await signIn(idp, redis.url, count);
    const afterResponse: number[] = [];
    for (const { sid, idToken } of sessions) {
      const told = receiver.waitFor(sid);
      const response = await fetch(
        `${idp.url}/logout?${new URLSearchParams({ id_token_hint: idToken, client_id: SHOP.id }).toString()}`,
        { redirect: 'manual', headers: { cookie: idp.sessionCookie(sid) } },
      );
      const answered = process.hrtime.bigint();
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`logout answered ${response.status}`);
      const at = await told;
      afterResponse.push(Number(at - answered) / 1e6);
    }
    const p99 = quantile(afterResponse, 0.99);
    const note =
      `${count} logouts one after another; the logout token verified by the SDK at the shop's ` +
      'endpoint (a receiver in the bench process); the IdP enqueues in PostgreSQL (embedded) ' +
      'and its worker, woken by the enqueue, signs and POSTs';
    return [
      {
        case: '3 back-channel logout → service refuses, p50',
        latchkey: single(quantile(afterResponse, 0.5), ' ms', afterResponse.length),
        target: '–',
        met: null,
      },
      {
        case: '3 back-channel logout → service refuses, p99',
        latchkey: single(p99, ' ms', afterResponse.length),
        target: '< 1 s',
        met: p99 < 1_000,
        note,
      },
    ];
  } finally {
    await idp?.stop();
    await redis?.kill();
    await receiver.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Sessions signed in to the shop through /authorize (SSO on a fixture session), with tokens. */
async function signIn(idp: BenchIdp, redisUrl: string, count: number) {
  const fixtures = await openIdpFixtures(redisUrl);
  try {
    const result: { sid: string; idToken: string }[] = [];
    for (let i = 0; i < count; i += 1) {
      const session = await fixtures.session();
      const verifier = randomBytes(32).toString('base64url');
      const url = new URL('/authorize', idp.url);
      for (const [name, value] of Object.entries({
        response_type: 'code',
        client_id: SHOP.id,
        redirect_uri: SHOP.redirectUri,
        scope: 'openid',
        state: 's',
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      })) {
        url.searchParams.set(name, value);
      }
      const authorized = await fetch(url, {
        redirect: 'manual',
        headers: { cookie: idp.sessionCookie(session.sid) },
      });
      const code = new URL(
        authorized.headers.get('location') ?? '',
        SHOP.redirectUri,
      ).searchParams.get('code');
      if (!code) throw new Error(`/authorize answered ${authorized.status} without a code`);
      const tokens = await fetch(`${idp.url}/token`, {
        method: 'POST',
        headers: {
          authorization: basic(SHOP),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          code_verifier: verifier,
          redirect_uri: SHOP.redirectUri,
        }).toString(),
      });
      const body = (await tokens.json()) as { id_token?: string };
      if (!body.id_token) throw new Error(`code redemption failed: ${tokens.status}`);
      result.push({ sid: session.sid, idToken: body.id_token });
    }
    return result;
  } finally {
    await fixtures.close();
  }
}

interface Receiver {
  url: string;
  verifier: Verifier | undefined;
  /** Resolves with the monotonic time at which a verified token for `sid` was accepted. */
  waitFor(sid: string): Promise<bigint>;
  close(): Promise<void>;
}

/** The shop's back-channel endpoint: verifies each logout token, then answers 200. */
async function startReceiver(): Promise<Receiver> {
  const waiting = new Map<string, (at: bigint) => void>();
  const receiver: Receiver = {
    url: '',
    verifier: undefined,
    waitFor: (sid) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no logout token for ${sid}`)), 10_000);
        waiting.set(sid, (at) => {
          clearTimeout(timer);
          resolve(at);
        });
      }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const token = new URLSearchParams(Buffer.concat(chunks).toString()).get('logout_token');
      const check = receiver.verifier && token ? receiver.verifier.verifyLogoutToken(token) : null;
      if (!check) {
        res.writeHead(400).end();
        return;
      }
      check.then(
        (claims) => {
          const at = process.hrtime.bigint();
          res.writeHead(200, { 'cache-control': 'no-store' }).end();
          if (typeof claims.sid === 'string') waiting.get(claims.sid)?.(at);
        },
        () => res.writeHead(400).end(),
      );
    });
  });
  server.keepAliveTimeout = 1_000;
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}
