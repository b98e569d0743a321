import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { findTestPostgres, sleep, startTestRedis, waitFor } from '@latchkey/testing';
import { pick, type BenchContext } from '../context.js';
import {
  callsDelta,
  commandCalls,
  footprintDelta,
  keyKind,
  redisFootprint,
  type KindFootprint,
} from '../capacity/redis-footprint.js';
import { startPgStatementCounter } from '../capacity/pg-statement-counter.js';
import { basic, REPORTS, SHOP } from '../peers/bench-clients.js';
import { single, type Row } from '../report/row.js';
import { CLIENTS_FILE, startBenchIdp } from '../services/idp.js';
import { signIn, type BrowserSignIn } from './login.js';

/**
 * Issue 15 part 6's raw figures: what one login, refresh family, revocation, audit event and
 * token cost in Redis memory, Redis commands and PostgreSQL statements, measured around a
 * counted number of operations driven through a real IdP (the built dist/main.js) on a
 * private redis-server and a database of its own on the PostgreSQL server.
 *
 * - Memory: every key's MEMORY USAGE (SAMPLES 0: exact) summed by kind of key, before and
 *   after, and INFO used_memory's delta (allocator overhead included), over N operations.
 * - Commands: INFO commandstats' delta around the N operations, less what the idle IdP sends
 *   meanwhile (its key-copy check and key re-read), measured over a quiet window first.
 * - Statements: counted on the wire by a relay between the IdP and the server
 *   (capacity/pg-statement-counter.ts), less the idle rate likewise.
 * - Audit: pg_total_relation_size('audit_events') (table, indexes, TOAST) over its rows.
 *
 * The IdP keeps its default rate limits here (the counters are part of the cost), unlike the
 * throughput cases. Operations run one at a time; nothing here is a rate.
 */
export async function capacityCase(context: BenchContext): Promise<Row[]> {
  const postgres = await findTestPostgres();
  if (!postgres.available) throw new Error(postgres.reason);
  const n = pick(context, 200, 40);
  const redisServer = await startTestRedis();
  const database = await postgres.createDatabase();
  const counter = await startPgStatementCounter(Number(new URL(database.url).port || 5432));
  const viaCounter = new URL(database.url);
  viaCounter.host = `127.0.0.1:${counter.port}`;
  const receiver = await startLogoutReceiver();
  const clients = await clientsWithReceiver(receiver.url);
  const idp = await startBenchIdp(redisServer.url, {
    databaseUrl: viaCounter.href,
    clientsFile: clients.file,
    env: {
      // The defaults (apps/idp/src/config/config.ts): a limit's counter is part of the cost.
      RATE_LIMIT_TOKEN_PER_CLIENT: '12000/1m',
      RATE_LIMIT_TOKEN_PER_ADDRESS: '24000/1m',
      RATE_LIMIT_LOGIN_PER_ADDRESS: '300/1m',
      RATE_LIMIT_AUTHORIZE_PER_ADDRESS: '1200/1m',
    },
  });
  const redis = new Redis(redisServer.url, { lazyConnect: true });
  const db = new pg.Client({ connectionString: database.url });
  try {
    await redis.connect();
    await db.connect();
    await browserLogin(idp.url); // warm: the first login computes the dummy hash, loads keys
    await sleep(1_000);
    const idle = await idleRates(redis, counter, 4_000);
    context.log(`capacity: idle IdP: ${JSON.stringify(idle)}`);
    const cpuMicros = async () => (await idp.probe('sample')).cpuMicros;
    const measure = measurer(redis, counter, db, idle, cpuMicros);
    const auditAtStart = await auditFootprint(db);

    context.log(`capacity: ${n} logins`);
    const logins: Login[] = [];
    const login = await measure(n, async () => {
      for (let i = 0; i < n; i += 1) logins.push(await browserLogin(idp.url));
    });
    context.log(`capacity: ${n} code redemptions (a refresh family each)`);
    const families: Tokens[] = [];
    const redeem = await measure(n, async () => {
      for (const done of logins) families.push(await redeemCode(idp.url, done));
    });
    context.log(`capacity: ${n} refreshes`);
    const refresh = await measure(n, async () => {
      for (const family of families) {
        const next = await tokenRequest(idp.url, basic(SHOP), {
          grant_type: 'refresh_token',
          refresh_token: family.refresh_token,
        });
        family.refresh_token = next.refresh_token;
      }
    });
    context.log(`capacity: ${n * 5} client_credentials tokens`);
    const clientCredentials = await measure(n * 5, async () => {
      for (let i = 0; i < n * 5; i += 1) {
        await tokenRequest(idp.url, basic(REPORTS), {
          grant_type: 'client_credentials',
          scope: 'wiki:read',
        });
      }
    });
    context.log(`capacity: ${n} logouts (revocations)`);
    const revoke = await measure(n, async () => {
      for (const [index, family] of families.entries()) {
        await logout(idp.url, logins[index]!.cookie, family.id_token);
      }
      // The back-channel logout tokens go out after the answer: their work is the logout's.
      await waitFor('every back-channel logout delivered', () => receiver.received() >= n, {
        timeoutMs: 60_000,
        intervalMs: 50,
      });
    });
    const audit = await auditFootprint(db);
    const auditAdded = {
      rows: audit.rows - auditAtStart.rows,
      bytes: audit.bytes - auditAtStart.bytes,
    };
    const encodings = await aggregateEncodings(redis);

    const printed = [
      printMeasurement('login (/authorize, GET /login, POST /login → code)', login),
      printMeasurement('code redemption, offline_access (a refresh family)', redeem),
      printMeasurement('refresh (rotation)', refresh),
      printMeasurement('client_credentials token', clientCredentials),
      printMeasurement('logout with id_token_hint (a revocation)', revoke),
      `audit_events over the run: +${auditAdded.rows} rows, +${auditAdded.bytes} bytes: ${(auditAdded.bytes / auditAdded.rows).toFixed(0)} bytes a row`,
      `audit_events at the end: ${audit.rows} rows, ${audit.bytes} bytes with indexes and TOAST: ${(audit.bytes / audit.rows).toFixed(0)} bytes a row; heap ${audit.heapBytes} bytes (${(audit.heapBytes / audit.rows).toFixed(0)} a row); by type ${JSON.stringify(audit.byType)}`,
      `aggregate keys at the end (MEMORY USAGE, entries, encoding): ${encodings}`,
      `idle IdP: ${idle.commandsPerSec.toFixed(2)} Redis commands/s (${JSON.stringify(Object.fromEntries(idle.byCommand))}), ${idle.statementsPerSec.toFixed(2)} PostgreSQL statements/s`,
    ];
    context.log(`capacity figures:\n${printed.join('\n')}`);
    process.stdout.write(`\nCapacity figures (n = ${n}):\n${printed.join('\n')}\n`);

    const row = (
      label: string,
      value: number,
      unit: string,
      count: number,
      note?: string,
    ): Row => ({
      case: `capacity: ${label}`,
      latchkey: single(value, unit, count),
      target: '–',
      met: null,
      ...(note && { note }),
    });
    const memoryNote = (m: Measurement) =>
      [...m.memory.byKind]
        .map(
          ([kind, f]) =>
            `${kind} ${f.keys >= 0 ? '+' : ''}${f.keys} keys ${signed(f.bytes / m.count)} B`,
        )
        .join('; ');
    // The session's own keys and its entries in the shared indexes; the revocation's entries.
    const bytesOf = (m: Measurement, pattern: RegExp): number =>
      [...m.memory.byKind]
        .filter(([kind]) => pattern.test(kind))
        .reduce((sum, [, f]) => sum + f.bytes, 0);
    return [
      row(
        'Redis bytes per session (its keys and index entries)',
        bytesOf(login, /session/) / n,
        ' B',
        n,
      ),
      row('Redis bytes per revoked entry', bytesOf(revoke, /revoked/) / n, ' B', n),
      row(
        'Redis bytes per login (keys it leaves)',
        keyBytes(login) / n,
        ' B',
        n,
        memoryNote(login),
      ),
      row('Redis bytes per refresh family', keyBytes(redeem) / n, ' B', n, memoryNote(redeem)),
      row('Redis bytes per revocation (logout)', keyBytes(revoke) / n, ' B', n, memoryNote(revoke)),
      row('Redis used_memory per login', login.memory.usedMemory / n, ' B', n),
      row('Redis used_memory per revocation', revoke.memory.usedMemory / n, ' B', n),
      row(
        'PostgreSQL bytes per audit event (growth over the run)',
        auditAdded.bytes / auditAdded.rows,
        ' B',
        auditAdded.rows,
        `table, indexes and TOAST; at the end ${(audit.bytes / audit.rows).toFixed(0)} B a row over all ${audit.rows}`,
      ),
      ...(
        [
          ['login', login],
          ['code redemption', redeem],
          ['refresh', refresh],
          ['client_credentials token', clientCredentials],
          ['revocation (logout)', revoke],
        ] as const
      ).flatMap(([label, m]) => [
        row(`Redis commands per ${label}`, m.commands / m.count, '', m.count, commandNote(m)),
        row(`PostgreSQL statements per ${label}`, m.statements / m.count, '', m.count),
        row(`IdP CPU per ${label}`, m.cpuMicros / m.count, ' µs', m.count),
      ]),
    ];
  } finally {
    redis.disconnect();
    await db.end().catch(() => undefined);
    await idp.stop();
    await counter.close();
    await redisServer.kill();
    await database.drop();
    await new Promise((resolve) => receiver.server.close(resolve));
    await rm(clients.dir, { recursive: true, force: true });
  }
}

/**
 * The shop's back-channel logout endpoint (OIDC Back-Channel Logout), answering 200 to every
 * logout token: a logout's cost includes one delivery that succeeds, as in a deployment whose
 * apps are up (the demo's URI would be refused here, and every refusal schedules a retry).
 */
async function startLogoutReceiver(): Promise<{
  url: string;
  server: Server;
  received(): number;
}> {
  let received = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received += 1;
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/auth/backchannel-logout`,
    server,
    received: () => received,
  };
}

/** The demo clients, with the shop's back-channel logout sent to `uri` and no other's. */
async function clientsWithReceiver(uri: string): Promise<{ file: string; dir: string }> {
  const demo = JSON.parse(await readFile(CLIENTS_FILE, 'utf8')) as Record<string, unknown>[];
  const clients = demo.map((client) => {
    const copy = { ...client };
    delete copy.backchannel_logout_uri;
    return client.client_id === SHOP.id ? { ...copy, backchannel_logout_uri: uri } : copy;
  });
  const dir = await mkdtemp(join(tmpdir(), 'latchkey-capacity-'));
  const file = join(dir, 'clients.json');
  await writeFile(file, JSON.stringify(clients));
  return { file, dir };
}

interface Idle {
  commandsPerSec: number;
  byCommand: Map<string, number>;
  statementsPerSec: number;
}

interface Measurement {
  count: number;
  seconds: number;
  memory: { usedMemory: number; byKind: Map<string, KindFootprint> };
  /** Redis commands, idle work taken out. */
  commands: number;
  byCommand: Map<string, number>;
  statements: number;
  auditRows: number;
  /** The IdP process's CPU time (user + system, every thread: Argon2id's too), µs. */
  cpuMicros: number;
}

async function idleRates(
  redis: Redis,
  counter: { statements(): number },
  ms: number,
): Promise<Idle> {
  const before = await commandCalls(redis);
  const statements = counter.statements();
  await sleep(ms);
  const byCommand = callsDelta(before, await commandCalls(redis));
  const total = [...byCommand.values()].reduce((a, b) => a + b, 0);
  return {
    commandsPerSec: total / (ms / 1000),
    byCommand,
    statementsPerSec: (counter.statements() - statements) / (ms / 1000),
  };
}

function measurer(
  redis: Redis,
  counter: { statements(): number },
  db: pg.Client,
  idle: Idle,
  cpuMicros: () => Promise<number>,
): (count: number, work: () => Promise<void>) => Promise<Measurement> {
  return async (count, work) => {
    const footprint = await redisFootprint(redis);
    const auditRows = await countAudit(db);
    const calls = await commandCalls(redis);
    const statements = counter.statements();
    const cpuBefore = await cpuMicros();
    const started = performance.now();
    await work();
    const seconds = (performance.now() - started) / 1000;
    const cpu = (await cpuMicros()) - cpuBefore;
    const byCommand = callsDelta(calls, await commandCalls(redis));
    const statementsAfter = counter.statements();
    const total = [...byCommand.values()].reduce((a, b) => a + b, 0);
    const memory = footprintDelta(footprint, await redisFootprint(redis));
    return {
      count,
      seconds,
      memory,
      commands: total - idle.commandsPerSec * seconds,
      byCommand,
      statements: statementsAfter - statements - idle.statementsPerSec * seconds,
      auditRows: (await countAudit(db)) - auditRows,
      cpuMicros: cpu,
    };
  };
}

/** The keys every session or revocation shares (no id in the name): size, entries, encoding. */
async function aggregateEncodings(redis: Redis): Promise<string> {
  const parts: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const key of keys.filter((k) => keyKind(k) === k).sort()) {
      const type = await redis.type(key);
      const entries =
        type === 'zset'
          ? await redis.zcard(key)
          : type === 'set'
            ? await redis.scard(key)
            : type === 'hash'
              ? await redis.hlen(key)
              : 1;
      const bytes = Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
      const encoding = String(await redis.call('OBJECT', 'ENCODING', key));
      parts.push(`${key} ${bytes} B, ${entries} entries, ${encoding}`);
    }
  } while (cursor !== '0');
  return parts.join('; ');
}

async function countAudit(db: pg.Client): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM audit_events');
  return Number(rows[0]!.n);
}

async function auditFootprint(db: pg.Client): Promise<{
  rows: number;
  bytes: number;
  heapBytes: number;
  byType: Record<string, number>;
}> {
  const { rows } = await db.query<{ total: string; heap: string; n: string }>(
    `SELECT pg_total_relation_size('audit_events') AS total,
            pg_relation_size('audit_events') AS heap,
            (SELECT count(*) FROM audit_events) AS n`,
  );
  const types = await db.query<{ type: string; n: string }>(
    'SELECT type, count(*) AS n FROM audit_events GROUP BY type ORDER BY type',
  );
  return {
    rows: Number(rows[0]!.n),
    bytes: Number(rows[0]!.total),
    heapBytes: Number(rows[0]!.heap),
    byType: Object.fromEntries(types.rows.map((row) => [row.type, Number(row.n)])),
  };
}

/** The bytes of the keys a batch left (MEMORY USAGE), every kind summed, short-lived ones too. */
const keyBytes = (m: Measurement): number =>
  [...m.memory.byKind.values()].reduce((sum, f) => sum + f.bytes, 0);

const signed = (value: number): string => `${value >= 0 ? '+' : ''}${value.toFixed(0)}`;

function commandNote(m: Measurement): string {
  return [...m.byCommand]
    .sort((a, b) => b[1] - a[1])
    .map(([command, calls]) => `${command} ${(calls / m.count).toFixed(2)}`)
    .join(', ');
}

function printMeasurement(label: string, m: Measurement): string {
  return [
    `${label}: n=${m.count} in ${m.seconds.toFixed(1)} s`,
    `  Redis commands per op ${(m.commands / m.count).toFixed(2)} (idle work taken out): ${commandNote(m)}`,
    `  PostgreSQL statements per op ${(m.statements / m.count).toFixed(2)}; audit rows per op ${(m.auditRows / m.count).toFixed(2)}`,
    `  IdP CPU per op ${(m.cpuMicros / m.count).toFixed(0)} µs (one core: ${(1e6 / (m.cpuMicros / m.count)).toFixed(0)}/s; one at a time, so every request's share of the process's fixed work is in it)`,
    `  Redis used_memory per op ${signed(m.memory.usedMemory / m.count)} B; keys (MEMORY USAGE) per op ${signed(keyBytes(m) / m.count)} B`,
    ...[...m.memory.byKind].map(
      ([kind, f]) =>
        `    ${kind}: ${f.keys >= 0 ? '+' : ''}${f.keys} keys, ${signed(f.bytes / m.count)} B per op`,
    ),
  ].join('\n');
}

type Login = BrowserSignIn;

interface Tokens {
  refresh_token: string;
  id_token: string;
}

/** The browser flow of case 7 (alice), asking for offline_access; keeps the session cookie. */
function browserLogin(base: string): Promise<Login> {
  return signIn(base, 'openid offline_access');
}

async function redeemCode(base: string, login: Login): Promise<Tokens> {
  const tokens = await tokenRequest(base, basic(SHOP), {
    grant_type: 'authorization_code',
    code: login.code,
    redirect_uri: SHOP.redirectUri,
    code_verifier: login.verifier,
  });
  if (!tokens.refresh_token) throw new Error('no refresh token: offline_access not granted');
  return tokens;
}

async function tokenRequest(
  base: string,
  authorization: string,
  params: Record<string, string>,
): Promise<Tokens & { access_token: string }> {
  const response = await fetch(`${base}/token`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  const body = (await response.json()) as Tokens & { access_token: string };
  if (response.status !== 200) {
    throw new Error(`/token answered ${response.status}: ${JSON.stringify(body)}`);
  }
  return body;
}

async function logout(base: string, cookie: string, idToken: string): Promise<void> {
  const url = new URL(`${base}/logout`);
  url.searchParams.set('id_token_hint', idToken);
  url.searchParams.set('post_logout_redirect_uri', 'http://shop.localhost:3001/');
  const response = await fetch(url, { redirect: 'manual', headers: { cookie } });
  await response.arrayBuffer();
  if (response.status < 300 || response.status >= 400) {
    throw new Error(`/logout answered ${response.status}`);
  }
}
