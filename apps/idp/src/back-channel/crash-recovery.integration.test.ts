import { createVerifier } from '@latchkey/sdk';
import {
  findTestPostgres,
  startTestRedis,
  waitFor,
  type TestPostgresDatabase,
  type TestRedis,
} from '@latchkey/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrowser, signIn } from '../test-support/browser.js';
import { ISSUER, redeem, SHOP, type IssuedCode } from '../test-support/grants.js';
import { startIdp, type IdpProcess } from '../test-support/idp-process.js';
import {
  backChannelClientsFile,
  startLogoutReceiver,
  type LogoutReceiver,
} from '../test-support/logout-receiver.js';

/**
 * The issue's end-to-end case: a receiver that refuses its first three attempts, an IdP
 * killed with SIGKILL between two of them and another started on the same PostgreSQL server
 * database; the logout token still arrives, valid, and is accepted exactly once. Real
 * processes (dist/main.js), a private redis-server, the demo shop's back-channel endpoint
 * moved to a loopback receiver that checks each token with the SDK.
 */
const KEK = Buffer.alloc(32, 7).toString('base64url');
const REFUSALS = 3;

const postgres = await findTestPostgres();
let redis: TestRedis;
let database: TestPostgresDatabase | undefined;
let receiver: LogoutReceiver;
let clients: { file: string; remove: () => Promise<void> };
const running: IdpProcess[] = [];

beforeAll(async () => {
  if (!postgres.available) return;
  redis = await startTestRedis();
  database = await postgres.createDatabase();
  receiver = await startLogoutReceiver();
  clients = await backChannelClientsFile(receiver.url);
}, 60_000);
afterAll(async () => {
  await Promise.all(running.splice(0).map((idp) => idp.kill('SIGKILL')));
  await receiver?.close();
  await clients?.remove();
  await redis?.kill();
  await database?.drop();
});

async function idp(): Promise<IdpProcess> {
  const started = await startIdp({
    REDIS_URL: redis.url,
    DATABASE_URL: database!.url,
    KEY_ENCRYPTION_KEY: KEK,
    CLIENTS_FILE: clients.file,
    DELIVERY_RETRY_INITIAL_DELAY: '300ms',
    DELIVERY_TIMEOUT: '2s',
    DELIVERY_LOOPBACK_ONLY: 'true',
  });
  running.push(started);
  return started;
}

async function outboxRow(): Promise<{ attempts: number; claim: string | null; state: string }> {
  const client = new pg.Client({ connectionString: database!.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ attempts: number; claim: string | null; state: string }>(
      `SELECT attempts, claim, state FROM delivery_outbox WHERE target LIKE '%/shop'`,
    );
    return rows[0]!;
  } finally {
    await client.end();
  }
}

it.runIf(!postgres.available)('says why the crash test was skipped', () => {
  expect(postgres.available, 'no PostgreSQL server answers (see findTestPostgres)').toBe(false);
});

describe.skipIf(!postgres.available)('back-channel logout across an IdP crash', () => {
  it('arrives, valid, exactly once accepted, though the IdP was SIGKILLed between attempts', async () => {
    const first = await idp();
    // The receiver refuses the first three attempts with 503 and accepts (200) from then on;
    // what it accepted is checked below with the SDK, as the shop's handler would.
    receiver.answer = (path, count) => (path !== '/shop' || count <= REFUSALS ? 503 : 200);

    const browser = createBrowser();
    const result = await signIn(browser, first.url, {
      clientId: SHOP.id,
      redirectUri: SHOP.redirectUri,
      username: 'alice',
      password: 'wonderland-alice',
    });
    const tokens = await redeem(
      { url: first.url } as Parameters<typeof redeem>[0],
      result as unknown as IssuedCode,
      SHOP,
    );
    expect(tokens.status, tokens.text).toBe(200);
    const idToken = tokens.json.id_token as string;
    const logout = await browser.fetch(
      `${first.url}/logout?${new URLSearchParams({ id_token_hint: idToken }).toString()}`,
    );
    expect(logout.status).toBe(200);

    // Between the second and the third attempt: the second's outcome is recorded (no claim).
    await waitFor(
      'the second attempt to be recorded',
      async () => {
        const row = await outboxRow();
        return row.attempts === 2 && row.claim === null;
      },
      { timeoutMs: 15_000, intervalMs: 5 },
    );
    await first.kill('SIGKILL');
    running.splice(running.indexOf(first), 1);
    const shopPosts = () => receiver.received.filter(({ path }) => path === '/shop');
    expect(shopPosts()).toHaveLength(2);

    const second = await idp();
    await waitFor('the logout token to be accepted', () => shopPosts().length > REFUSALS, {
      timeoutMs: 30_000,
      intervalMs: 20,
    });
    await waitFor(
      'the outbox to record the delivery',
      async () => (await outboxRow()).state === 'delivered',
      {
        timeoutMs: 10_000,
        intervalMs: 20,
      },
    );

    const verifier = createVerifier({
      issuer: ISSUER,
      audience: 'http://wiki.localhost:3002/api',
      jwksUri: `${second.url}/jwks`,
      clientId: 'shop',
    });
    const delivered = shopPosts()[REFUSALS]!;
    const claims = await verifier.verifyLogoutToken(delivered.token!);
    expect(claims).toMatchObject({ iss: ISSUER, aud: 'shop' });
    expect(claims.sid).toBe(
      JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString()).sid,
    );
    // Each attempt minted its own token.
    expect(new Set(shopPosts().map(({ token }) => token)).size).toBe(REFUSALS + 1);

    // Exactly once: nothing more arrives after the 200, well past the next retry would be.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(shopPosts()).toHaveLength(REFUSALS + 1);
    expect(await outboxRow()).toMatchObject({ state: 'delivered', attempts: REFUSALS + 1 });
    expect(second.output()).toContain('delivery.delivered');
    expect(second.output()).not.toContain(delivered.token!);
  }, 120_000);
});
