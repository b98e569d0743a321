/**
 * Promise 7: floods. Against IdP processes (the built dist/main.js) sharing one private
 * redis-server: request-rate limits per client and per address hold across instances (the
 * counters live in Redis), answer 429 with Retry-After and end with their window; a client
 * cannot use up another's rate; X-Forwarded-For counts only from a trusted proxy; and 1 MB
 * inputs (a password, a form token, a bearer header, a cookie) are refused fast with 413/431
 * and a body the client can read. Windows of two seconds, bursts of a few dozen requests.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { startTestRedis, type TestRedis } from '@latchkey/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { authorizeUrl, createBrowser, loginFormFields } from '../src/test-support/browser.js';
import { withTestClients } from '../src/test-support/grants.js';
import type { IdpProcess } from '../src/test-support/idp-process.js';
import { basicAuth, form } from '../src/test-support/test-idp.js';
import { idpCluster } from './support/idp-cluster.js';
import { SHOP, timedFetch, type Answer } from './support/oauth-flows.js';

const REPORTS = basicAuth('reports', 'reports-demo-secret');
/** A second machine client, to show that one client's flood leaves another served. */
const LEDGER = { id: 'ledger', secret: 'ledger-test-secret' };
const LEDGER_AUTH = basicAuth(LEDGER.id, LEDGER.secret);
/** Every limit off; each test turns on the one it looks at. */
const NO_LIMITS = {
  RATE_LIMIT_TOKEN_PER_CLIENT: 'off',
  RATE_LIMIT_TOKEN_PER_ADDRESS: 'off',
  RATE_LIMIT_LOGIN_PER_ADDRESS: 'off',
  RATE_LIMIT_AUTHORIZE_PER_ADDRESS: 'off',
};
const WINDOW_S = 2;
/** Refusing a 1 MB input: generous for a loaded CI machine; it takes milliseconds here. */
const FAST_MS = 2_000;
const MEGABYTE = 1024 * 1024;

let redis: TestRedis;
let clientsFile: string;
let removeClients: () => Promise<void>;
const cluster = idpCluster(() => redis.url);

beforeAll(async () => {
  redis = await startTestRedis();
  const clients = await withTestClients([
    {
      client_id: LEDGER.id,
      client_secret_sha256: createHash('sha256').update(LEDGER.secret).digest('base64'),
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      resources: ['http://wiki.localhost:3002/api'],
    },
  ]);
  clientsFile = clients.file;
  removeClients = clients.remove;
});
/** Each rate test starts from empty counters: the IdPs go, Redis restarts empty. */
function freshForEach(): void {
  afterEach(async () => {
    await cluster.killAll();
    await redis.start();
  });
}
afterAll(async () => {
  await cluster.killAll();
  await redis?.kill();
  await removeClients?.();
});

/** Two instances of one deployment on the shared Redis. */
async function twoInstances(env: Record<string, string>): Promise<[IdpProcess, IdpProcess]> {
  const extra = { ...NO_LIMITS, CLIENTS_FILE: clientsFile, ...env };
  return Promise.all([cluster.start(extra), cluster.start(extra)]);
}

function clientCredentials(
  idp: IdpProcess,
  authorization = REPORTS,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return timedFetch(`${idp.url}/token`, {
    method: 'POST',
    headers: { Authorization: authorization, ...headers },
    body: form({ grant_type: 'client_credentials' }),
  });
}

/** A 429 as promised: Retry-After within the window, an RFC 6749 body. */
function expectLimited(answer: Answer, what: string): void {
  expect(answer.status, what).toBe(429);
  expect(answer.retryAfter, what).toBeGreaterThanOrEqual(1);
  expect(answer.retryAfter, what).toBeLessThanOrEqual(WINDOW_S);
  expect(answer.json, what).toEqual({
    error: 'temporarily_unavailable',
    error_description: expect.stringMatching(/^too many requests/),
  });
}

const statuses = (answers: Answer[]) => answers.map((answer) => answer.status);
const count = (answers: Answer[], status: number) =>
  answers.filter((answer) => answer.status === status).length;

describe('request-rate limits across two instances sharing Redis', () => {
  freshForEach();

  it('a burst split across both instances is limited as one, answers 429 + Retry-After, and recovers after the window', async () => {
    const [a, b] = await twoInstances({ RATE_LIMIT_TOKEN_PER_CLIENT: `10/${WINDOW_S}s` });
    const started = performance.now();
    const burst = await Promise.all(
      Array.from({ length: 24 }, (_, i) => clientCredentials(i % 2 === 0 ? a : b)),
    );
    const burstMs = performance.now() - started;
    // The whole burst fell in one window (it takes tens of milliseconds), so the shared count
    // lets exactly 10 through; counted per instance it would be 20.
    expect(burstMs, 'the burst must fit in one window').toBeLessThan(WINDOW_S * 1000);
    expect(count(burst, 200), statuses(burst).join(' ')).toBe(10);
    expect(count(burst, 429), statuses(burst).join(' ')).toBe(14);
    for (const answer of burst.filter(({ status }) => status === 429)) {
      expectLimited(answer, 'a refused request of the burst');
    }
    // Both instances refused some: the limit is not one instance's.
    const refusedBy = (idp: IdpProcess) =>
      burst.filter((answer, i) => answer.status === 429 && (i % 2 === 0 ? a : b) === idp).length;
    expect(refusedBy(a) + refusedBy(b)).toBe(14);
    expect(refusedBy(a)).toBeGreaterThan(0);
    expect(refusedBy(b)).toBeGreaterThan(0);

    // Retry-After is honest: after it, both instances serve again.
    const wait = Math.max(...burst.map((answer) => answer.retryAfter ?? 0));
    await new Promise((resolve) => setTimeout(resolve, wait * 1000 + 100));
    expect((await clientCredentials(a)).status).toBe(200);
    expect((await clientCredentials(b)).status).toBe(200);
  });

  it("one client's flood does not starve another, and wrong secrets do not use up a client's rate", async () => {
    const [a, b] = await twoInstances({ RATE_LIMIT_TOKEN_PER_CLIENT: `5/${WINDOW_S}s` });
    // Someone hammers with reports' client_id and a wrong secret: 401s, not counted.
    const forged = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        clientCredentials(i % 2 ? a : b, basicAuth('reports', 'guess')),
      ),
    );
    expect(new Set(statuses(forged))).toEqual(new Set([401]));
    // reports floods and is limited...
    const flood = await Promise.all(
      Array.from({ length: 12 }, (_, i) => clientCredentials(i % 2 ? a : b)),
    );
    expect(count(flood, 200)).toBe(5);
    expect(count(flood, 429)).toBe(7);
    // ...while ledger, meanwhile, has its whole rate.
    const other = await Promise.all(
      Array.from({ length: 5 }, (_, i) => clientCredentials(i % 2 ? a : b, LEDGER_AUTH)),
    );
    expect(statuses(other)).toEqual([200, 200, 200, 200, 200]);
  });

  it('with Redis gone, client_credentials still signs tokens, fast, and the limit holds per instance', async () => {
    const [a] = await twoInstances({ RATE_LIMIT_TOKEN_PER_CLIENT: `5/${WINDOW_S}s` });
    expect((await clientCredentials(a)).status).toBe(200);
    await redis.kill();
    const answers: Answer[] = [];
    // One at a time: the first finds the store away (within the limiter's 100 ms budget),
    // the rest are counted in the process without asking it.
    for (let i = 0; i < 8; i += 1) answers.push(await clientCredentials(a));
    expect(statuses(answers)).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    for (const answer of answers) expect(answer.ms).toBeLessThan(FAST_MS);
    const slowest = Math.max(...answers.map((answer) => answer.ms));
    process.stdout.write(
      `floods: with Redis gone, the slowest /token answer took ${slowest.toFixed(1)} ms\n`,
    );
    expectLimited(answers[7] as Answer, 'counted locally');
  });
});

describe('per-address limits and X-Forwarded-For', () => {
  freshForEach();
  const from = (address: string) => ({ 'X-Forwarded-For': address });

  it('behind a trusted proxy (127.0.0.1), each forwarded address has its own bucket, across instances', async () => {
    const [a, b] = await twoInstances({
      RATE_LIMIT_TOKEN_PER_ADDRESS: `3/${WINDOW_S}s`,
      TRUSTED_PROXIES: '127.0.0.1, ::1',
    });
    for (const address of ['203.0.113.10', '203.0.113.20', '2001:db8:7:7::1']) {
      const answers = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          clientCredentials(i % 2 ? a : b, REPORTS, from(address)),
        ),
      );
      expect(count(answers, 200), address).toBe(3);
      expect(count(answers, 429), address).toBe(2);
      for (const answer of answers.filter(({ status }) => status === 429)) {
        expectLimited(answer, address);
      }
    }
    // Another address of the same IPv6 /64 is the same subscriber: already used up.
    expectLimited(await clientCredentials(a, REPORTS, from('2001:db8:7:7::99')), 'same /64');
    // Addresses the client prepends itself change nothing: the right-most one counts.
    expectLimited(
      await clientCredentials(b, REPORTS, from('198.51.100.1, 203.0.113.10')),
      'spoofed prefix',
    );
  });

  it('without TRUSTED_PROXIES the header is ignored: every forwarded address shares the peer’s bucket', async () => {
    const [a, b] = await twoInstances({ RATE_LIMIT_TOKEN_PER_ADDRESS: `3/${WINDOW_S}s` });
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        clientCredentials(i % 2 ? a : b, REPORTS, from(`203.0.113.${100 + i}`)),
      ),
    );
    expect(count(answers, 200)).toBe(3);
    expect(count(answers, 429)).toBe(3);
  });

  it('POST /login per address: a page with 429 and Retry-After, shared by both instances', async () => {
    const [a, b] = await twoInstances({ RATE_LIMIT_LOGIN_PER_ADDRESS: `3/${WINDOW_S}s` });
    const browser = createBrowser();
    const redirect = await browser.fetch(authorizeUrl(a.url, SHOP).url);
    const page = await browser.fetch(new URL(redirect.headers.get('location')!, a.url));
    const fields = loginFormFields(await page.text());
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        timedFetch(`${(i % 2 ? a : b).url}/login`, {
          method: 'POST',
          body: form({ ...fields, username: 'bob', password: `wrong-${i}` }),
        }),
      ),
    );
    // Without the CSRF cookie the allowed ones are refused by the form (403), not the limit.
    expect(count(answers, 429), statuses(answers).join(' ')).toBe(3);
    expect(answers.filter(({ status }) => status !== 429).every(({ status }) => status < 429)).toBe(
      true,
    );
    for (const answer of answers.filter(({ status }) => status === 429)) {
      expect(answer.contentType).toMatch(/^text\/html/);
      expect(answer.retryAfter).toBeGreaterThanOrEqual(1);
      expect(answer.retryAfter).toBeLessThanOrEqual(WINDOW_S);
    }
  });
});

// ---------------------------------------------------------------------------------------
// Size limits. Raw node:http, so the test decides between Content-Length and chunked.

interface RawAnswer {
  status: number;
  contentType: string;
  body: string;
  ms: number;
}

function rawRequest(
  url: string,
  request: { method: string; path: string; headers: Record<string, string>; body?: Buffer },
  mode: 'length' | 'chunked' = 'length',
): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(
      {
        host: hostname,
        port,
        method: request.method,
        path: request.path,
        agent: false,
        headers: request.headers,
        timeout: 10_000,
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body,
            ms: performance.now() - started,
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
    const body = request.body ?? Buffer.alloc(0);
    if (mode === 'chunked') {
      // 64 KiB chunks, as a streaming client sends them.
      for (let at = 0; at < body.length; at += 64 * 1024) req.write(body.subarray(at, at + 65536));
      req.end();
    } else {
      req.setHeader('Content-Length', String(body.length));
      req.end(body);
    }
  });
}

describe('size limits: 1 MB inputs are refused fast, with a body', () => {
  let idp: IdpProcess;
  beforeAll(async () => {
    idp = await cluster.start({ CLIENTS_FILE: clientsFile });
  });
  const timings: string[] = [];
  const huge = 'x'.repeat(MEGABYTE);
  const formHeaders = { 'Content-Type': 'application/x-www-form-urlencoded' };

  afterAll(() => {
    process.stdout.write(`floods: time to refuse 1 MB inputs: ${timings.join(', ')}\n`);
  });

  const expectRefusedJson = (answer: RawAnswer, status: number, what: string) => {
    timings.push(`${what} ${answer.status} in ${answer.ms.toFixed(1)} ms`);
    expect(answer.status, what).toBe(status);
    expect(answer.ms, what).toBeLessThan(FAST_MS);
    expect(answer.contentType, what).toMatch(/^application\/json/);
    expect(JSON.parse(answer.body), what).toEqual({
      error: 'invalid_request',
      error_description: expect.any(String),
    });
  };

  it.each(['length', 'chunked'] as const)(
    'a 1 MB password at POST /login: 413 page (%s body)',
    async (mode) => {
      const browser = createBrowser();
      const redirect = await browser.fetch(authorizeUrl(idp.url, SHOP).url);
      const page = await browser.fetch(new URL(redirect.headers.get('location')!, idp.url));
      const fields = loginFormFields(await page.text());
      const body = Buffer.from(form({ ...fields, username: 'alice', password: huge }).toString());
      const answer = await rawRequest(
        idp.url,
        { method: 'POST', path: '/login', headers: formHeaders, body },
        mode,
      );
      timings.push(`password (${mode}) ${answer.status} in ${answer.ms.toFixed(1)} ms`);
      expect(answer.status).toBe(413);
      expect(answer.ms).toBeLessThan(FAST_MS);
      expect(answer.contentType).toMatch(/^text\/html/);
      expect(answer.body).toMatch(/^<!doctype html>[\s\S]*too large/i);
    },
  );

  it.each([
    ['refresh_token', 'length'],
    ['refresh_token', 'chunked'],
    ['code', 'length'],
    ['code', 'chunked'],
  ] as const)('a 1 MB %s at POST /token: 413 JSON (%s body)', async (param, mode) => {
    const grant = param === 'code' ? 'authorization_code' : 'refresh_token';
    const body = Buffer.from(form({ grant_type: grant, [param]: huge }).toString());
    const answer = await rawRequest(
      idp.url,
      {
        method: 'POST',
        path: '/token',
        headers: { ...formHeaders, Authorization: SHOP.auth },
        body,
      },
      mode,
    );
    expectRefusedJson(answer, 413, `${param} (${mode})`);
  });

  it('a 1 MB bearer token, a 1 MB cookie and a 1 MB URL: 431 JSON', async () => {
    const bearer = await rawRequest(idp.url, {
      method: 'GET',
      path: '/userinfo',
      headers: { Authorization: `Bearer ${huge}` },
    });
    expectRefusedJson(bearer, 431, 'bearer header');
    const cookie = await rawRequest(idp.url, {
      method: 'GET',
      path: `/authorize?client_id=shop`,
      headers: { Cookie: `latchkey_session=${huge}` },
    });
    expectRefusedJson(cookie, 431, 'cookie');
    const url = await rawRequest(idp.url, {
      method: 'GET',
      path: `/authorize?state=${huge}`,
      headers: {},
    });
    expectRefusedJson(url, 431, 'URL');
    // The instance is unharmed.
    expect((await fetch(`${idp.url}/readyz`)).status).toBe(200);
  });
});
