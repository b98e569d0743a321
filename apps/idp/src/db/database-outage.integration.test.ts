import { startTcpGate, waitFor, type TcpGate } from '@latchkey/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeUrl, createBrowser, signIn } from '../test-support/browser.js';
import { SHOP, signInToShop } from '../test-support/grants.js';
import { startTestIdp, type TestIdp } from '../test-support/test-idp.js';
import { onPostgresServer, findTestPostgres, type TestPostgresDatabase } from '@latchkey/testing';
import { migrate } from './migration.js';
import { MIGRATIONS } from './migrations/index.js';
import { createPgDatabase } from './pg-database.js';

/**
 * The real PostgreSQL server going away under a running IdP, through a TCP gate the test
 * controls: requests that need the directory answer 503 `temporarily_unavailable` (never
 * 500), /readyz says so, and the IdP recovers by itself once the server answers again.
 */
const server = await findTestPostgres();
let database: TestPostgresDatabase | undefined;
let gate: TcpGate;
let idp: TestIdp;

beforeAll(async () => {
  if (!server.available) return;
  database = await server.createDatabase();
  const target = new URL(database.url);
  gate = await startTcpGate(Number(target.port || 5432));
  target.hostname = '127.0.0.1';
  target.port = String(gate.port);
  // Short timeouts: an unanswered query must cost this test a second, not five.
  const db = createPgDatabase(target.href, { connectTimeoutMs: 1_000, queryTimeoutMs: 1_000 });
  await migrate(db, MIGRATIONS);
  idp = await startTestIdp({ RATE_LIMIT_TOKEN_PER_CLIENT: 'off' }, undefined, { database: db });
}, 60_000);
afterAll(async () => {
  await idp?.close();
  await gate?.close();
  await database?.drop();
});

const userinfo = (token: string) =>
  fetch(`${idp.url}/userinfo`, { headers: { Authorization: `Bearer ${token}` } });
const ready = async () => (await fetch(`${idp.url}/readyz`)).status;
const recovered = () =>
  waitFor('the IdP to answer from the database again', async () => (await ready()) === 200, {
    timeoutMs: 20_000,
    intervalMs: 100,
  });

describe.skipIf(!server.available)('the database unreachable mid-request', () => {
  it('shut: 503 temporarily_unavailable and readyz 503, then recovery', async () => {
    const { tokens } = await signInToShop(idp, 'alice', { scope: ['openid'] });
    expect((await userinfo(tokens.access_token!)).status).toBe(200);

    gate.shut();
    const during = await userinfo(tokens.access_token!);
    expect(during.status).toBe(503);
    expect(await during.json()).toMatchObject({ error: 'temporarily_unavailable' });
    expect(await ready()).toBe(503);

    gate.open();
    await recovered();
    expect((await userinfo(tokens.access_token!)).status).toBe(200);
  });

  it('the pages: a signed-in browser at /authorize gets the 503 page, then signs in again', async () => {
    const browser = createBrowser();
    const shop = { clientId: SHOP.id, redirectUri: SHOP.redirectUri };
    await signIn(browser, idp.url, { ...shop, username: 'bob', password: 'builder-bob' });
    gate.shut();
    try {
      // The session is in Redis, but its user must be read from the directory.
      const page = await browser.fetch(authorizeUrl(idp.url, shop).url);
      expect(page.status).toBe(503);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('retry-after')).toBe('5');
    } finally {
      gate.open();
    }
    await recovered();
    expect((await signIn(browser, idp.url, shop)).loginFormShown).toBe(false);
  });

  it('a server that stops answering (half-open connections): 503 after the timeout', async () => {
    const { tokens } = await signInToShop(idp, 'bob', { scope: ['openid'] });
    gate.blackhole();
    // Connections made before the partition hang until the query timeout, then fail; the
    // pool replaces them with new ones, which pass again.
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await userinfo(tokens.access_token!)).status);
    expect(statuses.every((status) => status === 200 || status === 503)).toBe(true);
    expect(statuses).toContain(503);
    gate.open();
    await recovered();
    expect((await userinfo(tokens.access_token!)).status).toBe(200);
  });

  it('pg_terminate_backend on every connection: never a 500, and back at once', async () => {
    const { tokens } = await signInToShop(idp, 'alice', { scope: ['openid'] });
    const ended = await onPostgresServer((client) =>
      client.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [database!.name],
      ),
    );
    expect(ended.rowCount).toBeGreaterThan(0);
    const first = (await userinfo(tokens.access_token!)).status;
    expect([200, 503]).toContain(first);
    await recovered();
    expect((await userinfo(tokens.access_token!)).status).toBe(200);
  });
});

it.runIf(!server.available)('says why the server half was skipped', () => {
  expect(server.available).toBe(false);
});
