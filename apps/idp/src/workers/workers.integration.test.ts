import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findTestPostgres,
  freePort,
  startTestRedis,
  type TestPostgresDatabase,
  type TestRedis,
  waitFor,
} from '@latchkey/testing';
import { runScript, startIdp, type IdpProcess } from '../test-support/idp-process.js';
import { postOnOwnConnection } from '../test-support/own-connection-post.js';
import { basicAuth } from '../test-support/test-idp.js';
import { encodeStoreLayout, STORE_LAYOUT_VERSION, storeLayoutKey } from '@latchkey/protocol';

/**
 * IDP_WORKERS=2: one primary forking two workers on one port, on a private Redis and a
 * database of its own on the PostgreSQL server (what several workers need to share).
 */

const REPORTS = basicAuth('reports', 'reports-demo-secret');

const server = await findTestPostgres();
let redis: TestRedis;
let database: TestPostgresDatabase;
let idp: IdpProcess;
let metricsUrl: string;

beforeAll(async () => {
  if (!server.available) throw new Error(`needs a PostgreSQL server: ${server.reason}`);
  redis = await startTestRedis();
  database = await server.createDatabase();
  const metricsPort = await freePort();
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  idp = await startIdp({
    REDIS_URL: redis.url,
    DATABASE_URL: database.url,
    IDP_WORKERS: '2',
    METRICS_PORT: String(metricsPort),
    METRICS_HOST: '127.0.0.1',
  });
}, 90_000);

afterAll(async () => {
  await idp?.kill();
  await redis?.kill();
  await database?.drop();
});

/** On a connection of its own, so that consecutive ones land on different workers. */
const clientCredentials = async () => {
  const answer = await postOnOwnConnection(
    `${idp.url}/token`,
    REPORTS,
    new URLSearchParams({ grant_type: 'client_credentials', scope: 'wiki:read' }),
  );
  return { status: answer.status, json: JSON.parse(answer.text) as Record<string, unknown> };
};

/** The workers' pids, once both listen (/readyz answers as soon as the first one does). */
async function workerPids(): Promise<number[]> {
  const started = () =>
    idp
      .output()
      .split('\n')
      .find((text) => text.includes('"idp.workers_started"'));
  await waitFor('both workers to listen', () => Promise.resolve(started() !== undefined), {
    timeoutMs: 30_000,
  });
  return (JSON.parse(started()!) as { pids: number[] }).pids;
}

/** CPU time (clock ticks, user + system) a process has used, from /proc. */
function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

async function tokensIssued(): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const line =
    /^latchkey_tokens_issued_total\{[^}]*grant_type="client_credentials"[^}]*\} (\d+)$/m.exec(text);
  return Number(line?.[1] ?? 0);
}

function kidOf(token: string): string {
  return (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string })
    .kid;
}

describe('IDP_WORKERS=2', () => {
  it('serves from two worker processes, each answering its share of the connections', async () => {
    const pids = await workerPids();
    expect(pids).toHaveLength(2);
    expect(new Set(pids).size).toBe(2);
    const before = pids.map(cpuTicks);
    const answers = await Promise.all(Array.from({ length: 200 }, () => clientCredentials()));
    expect(answers.every(({ status }) => status === 200)).toBe(true);
    const used = pids.map((pid, i) => cpuTicks(pid) - before[i]!);
    // Connections alternate between the workers: each did real work, not just idle timers.
    for (const ticks of used) expect(ticks).toBeGreaterThan(0);
  });

  it('has one /metrics for the whole IdP, counting every worker’s answers once', async () => {
    const before = await tokensIssued();
    const answers = await Promise.all(Array.from({ length: 40 }, () => clientCredentials()));
    expect(answers.every(({ status }) => status === 200)).toBe(true);
    expect((await tokensIssued()) - before).toBe(40);
  });

  it('has one key set: every worker signs with the same key, the one /jwks publishes', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => clientCredentials()));
    const kids = new Set(answers.map(({ json }) => kidOf(String(json.access_token))));
    expect(kids.size).toBe(1);
    const jwks = (await (await fetch(`${idp.url}/jwks`)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map(({ kid }) => kid)).toContain([...kids][0]);
  });
});

describe('IDP_WORKERS=2 on SIGTERM', () => {
  it('drops no request: every request in flight on either worker is answered, then every process exits cleanly', async () => {
    const body = 'grant_type=client_credentials&scope=wiki%3Aread';
    const half = body.length >> 1;
    // Sixteen requests in flight, each on a connection of its own (so on both workers), each
    // stopped half-way through its body when the signal comes.
    const inFlight = Array.from({ length: 16 }, () => {
      const req = request(`${idp.url}/token`, {
        method: 'POST',
        agent: false,
        headers: {
          authorization: REPORTS,
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': String(body.length),
        },
      });
      const answer = new Promise<number>((resolve, reject) => {
        req.on('response', (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
      });
      req.write(body.slice(0, half));
      return { req, answer };
    });
    // Until every connection was accepted and its headers read by a worker.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const exit = idp.kill('SIGTERM');
    await waitFor(
      'both workers to start stopping',
      () => Promise.resolve((idp.output().match(/"event":"idp\.stopping"/g)?.length ?? 0) >= 3),
      { timeoutMs: 10_000 },
    );
    for (const { req } of inFlight) req.end(body.slice(half));
    const statuses = await Promise.all(inFlight.map(({ answer }) => answer));
    expect(statuses).toEqual(Array.from({ length: 16 }, () => 200));
    expect(await exit).toBe(0);
    // Three processes stopped: the primary and both workers.
    expect(idp.output().match(/"event":"idp\.stopped"/g)?.length).toBe(3);
    await expect(clientCredentials()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  }, 60_000);
});

describe('IDP_WORKERS=2 when a worker cannot start', () => {
  it('stops the whole IdP with exit 1, as one process would, rather than forking again and again', async () => {
    const other = await startTestRedis();
    const client = new Redis(other.url);
    try {
      // A Redis of another key layout: the primary does not look at Redis, every worker refuses it.
      await client.set(storeLayoutKey, encodeStoreLayout(STORE_LAYOUT_VERSION + 1));
      const { code, stdout, stderr } = await runScript('main.js', [], {
        REDIS_URL: other.url,
        DATABASE_URL: database.url,
        IDP_WORKERS: '2',
        IDP_PORT: String(await freePort()),
      });
      expect(code).toBe(1);
      expect(stderr).toMatch(/latchkey: refusing to start: /);
      expect(stdout).toContain('"event":"idp.worker_failed_to_start"');
      expect(stdout).not.toContain('"event":"idp.listening"');
    } finally {
      client.disconnect();
      await other.kill();
    }
  }, 60_000);
});
